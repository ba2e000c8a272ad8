// Message flags as the store keeps them: a JSON array of system flags in their RFC 9051 2.3.2
// spelling (\Seen \Answered \Flagged \Deleted \Draft) and keywords (atoms, compared without
// regard to case, kept in the first spelling seen). \Recent does not exist in IMAP4rev2 and
// is refused, as is any other backslash flag.

import type { FlagUpdateMode } from '../../types.ts'
import { StoreError } from '../../store-error.ts'

const SYSTEM_FLAGS = new Map(
  ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]),
)

// RFC 9051 9: flag-keyword = atom; ATOM-CHAR excludes "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]".
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const KEYWORD = /^[^\x00-\x20\x7f-\uffff(){%*"\\\]]+$/

/** Canonical spellings, duplicates removed; 'invalid-input' for a flag that cannot be. */
export function normaliseFlags(flags: readonly string[]): string[] {
  const out = new Map<string, string>()
  for (const flag of flags) {
    const key = flag.toLowerCase()
    if (out.has(key)) continue
    if (flag.startsWith('\\')) {
      const system = SYSTEM_FLAGS.get(key)
      if (system === undefined) throw new StoreError('invalid-input', `cannot store flag ${flag}`)
      out.set(key, system)
    } else {
      if (!KEYWORD.test(flag) || flag.length > 200) {
        throw new StoreError('invalid-input', `not a keyword: ${JSON.stringify(flag)}`)
      }
      out.set(key, flag)
    }
  }
  return [...out.values()]
}

/** The flags after the update (`flags` normalised); current flags keep their order. */
export function applyFlags(
  current: readonly string[],
  mode: FlagUpdateMode,
  flags: string[],
): string[] {
  switch (mode) {
    case 'replace':
      return flags
    case 'add': {
      const have = new Set(current.map((f) => f.toLowerCase()))
      return [...current, ...flags.filter((f) => !have.has(f.toLowerCase()))]
    }
    case 'remove': {
      const drop = new Set(flags.map((f) => f.toLowerCase()))
      return current.filter((f) => !drop.has(f.toLowerCase()))
    }
  }
}

/** The same flags, whatever their order and case. */
export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const set = new Set(a.map((f) => f.toLowerCase()))
  return b.every((f) => set.has(f.toLowerCase()))
}
