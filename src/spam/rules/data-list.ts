// One-entry-per-line lists under src/spam/data/ (URL shorteners, abused hosts, TLDs): blank
// lines and "#" comments skipped, entries lower-cased. Read once, on first use.
import { readFileSync } from 'node:fs'

const loaded = new Map<string, ReadonlySet<string>>()

/** The entries of src/spam/data/<file>. */
export function dataList(file: string): ReadonlySet<string> {
  const cached = loaded.get(file)
  if (cached !== undefined) return cached
  const text = readFileSync(new URL(`../data/${file}`, import.meta.url), 'utf8')
  const set = new Set(
    text
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l !== '' && !l.startsWith('#')),
  )
  loaded.set(file, set)
  return set
}
