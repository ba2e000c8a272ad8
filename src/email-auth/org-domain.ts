// The Organizational Domain of DMARC (RFC 7489 3.2): the registrable domain of a name by the
// Public Suffix List — the public suffix plus one label. The list is the copy compiled into the
// tldts package (tldts 7.4.15, the same copy mailauth's relaxed-alignment hint uses); it is
// updated by updating that package (`npm update tldts`; tldts releases follow the list).
import { domainToASCII } from 'node:url'
import { getDomain } from 'tldts'

const PSL_OPTIONS = { allowPrivateDomains: true, extractHostname: false, validateHostname: false }

/** A domain in lower-case A-labels without a trailing dot; '' when it is not a valid name. */
export function normalizeDomain(domain: string): string {
  const trimmed = domain.trim().replace(/\.$/, '')
  if (trimmed === '' || trimmed.startsWith('.') || trimmed.includes('..')) return ''
  // RFC 7489 3.2 step 1 works on labels; IDNs compare in their A-label form (RFC 5890).
  return domainToASCII(trimmed.toLowerCase())
}

/**
 * RFC 7489 3.2: the Organizational Domain of `domain`, or undefined when the name is itself a
 * public suffix (or not a valid name). Names under an unlisted TLD take the implicit "*" rule.
 */
export function organizationalDomain(domain: string): string | undefined {
  const name = normalizeDomain(domain)
  if (name === '') return undefined
  const registrable = getDomain(name, PSL_OPTIONS)
  return registrable === null || registrable === '' ? undefined : normalizeDomain(registrable)
}

/** RFC 7489 3.1.1 / 3.1.2: relaxed alignment is equality of Organizational Domains. */
export function isAligned(a: string, b: string, mode: 'r' | 's'): boolean {
  const x = normalizeDomain(a)
  const y = normalizeDomain(b)
  if (x === '' || y === '') return false
  if (x === y) return true
  if (mode === 's') return false
  const orgX = organizationalDomain(x)
  return orgX !== undefined && orgX === organizationalDomain(y)
}
