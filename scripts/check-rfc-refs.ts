// Every "RFC nnnn" cited in src/ must be listed in docs/rfc/index.tsv (number and title), so
// that citations stay checkable (a light version of mox's rfc/link.go). Exits 1 listing the
// missing ones.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const listed = new Set(
  readFileSync(join(root, 'docs/rfc/index.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t')[0])
    .filter((n): n is string => n !== undefined && n !== ''),
)

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* files(path)
    else if (path.endsWith('.ts')) yield path
  }
}

const missing = new Map<string, string>()
for (const file of files(join(root, 'src'))) {
  for (const m of readFileSync(file, 'utf8').matchAll(/\bRFC ?(\d{3,4})\b/g)) {
    const n = m[1] ?? ''
    if (!listed.has(n) && !missing.has(n)) missing.set(n, file.slice(root.length))
  }
}
if (missing.size > 0) {
  for (const [n, file] of missing)
    console.error(`RFC ${n} (cited in ${file}) is not in docs/rfc/index.tsv`)
  process.exit(1)
}
console.log(`check-rfc-refs: every cited RFC is in docs/rfc/index.tsv (${listed.size} listed)`)
