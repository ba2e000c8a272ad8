// The brand table (src/spam/data/brands.json): names a sender may borrow, with the domains
// that really send for each. Loaded once. Names are folded as the host and display-name checks
// compare them: lower case, multi-word names also compacted ("wells fargo" -> "wellsfargo"),
// and each listed domain's first label of 5 letters or more is an alias ("icloud", "outlook").

import { readFileSync } from 'node:fs'

export interface Brand {
  /** The name as listed ("wells fargo"). */
  key: string
  /** The key, its compact form and the aliases. */
  names: string[]
  domains: string[]
}

/** Labels of brand domains too common in other names to be aliases. */
const NOT_ALIASES = new Set(['office', 'mail', 'online', 'email'])

let brands: Brand[] | undefined

export function brandTable(): Brand[] {
  if (brands !== undefined) return brands
  const file = JSON.parse(
    readFileSync(new URL('../data/brands.json', import.meta.url), 'utf8'),
  ) as { brands: Record<string, string[]> }
  brands = Object.entries(file.brands).map(([key, domains]) => {
    const names = new Set([key, key.replace(/ /g, '')])
    for (const d of domains) {
      const label = d.split('.')[0] ?? ''
      if (label.length >= 5 && /^[a-z0-9]+$/.test(label) && !NOT_ALIASES.has(label)) {
        names.add(label)
      }
    }
    return { key, names: [...names], domains }
  })
  return brands
}
