// Address normalisation for the store: addresses are kept lower-cased and trimmed, and
// split at the last '@' into local part and domain.

import { StoreError } from '../../store-error.ts'

export function normaliseAddress(address: string): string {
  return address.trim().toLowerCase()
}

export function normaliseDomain(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '')
}

/** Returns the domain of `local@domain` (or `@domain`), or throws 'invalid-input'. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@')
  const domain = at >= 0 ? address.slice(at + 1) : ''
  if (domain === '' || domain.includes(' ')) {
    throw new StoreError('invalid-input', `not an address: ${JSON.stringify(address)}`)
  }
  return domain
}
