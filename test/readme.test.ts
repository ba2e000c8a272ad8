// Keeps the README's configuration reference true: every config key, with its default, has a
// row, and the table names no key the schema does not have.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { configLeafKeys } from '../src/config/load.ts'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

test('README configuration reference lists every key with its default', () => {
  const rows = new Map<string, string>()
  for (const m of readme.matchAll(/^\| `([a-z0-9_.]+)` *\| `([^`]*)` *\|/gm)) {
    rows.set(m[1] ?? '', m[2] ?? '')
  }
  const keys = configLeafKeys()
  for (const key of keys) {
    const name = key.path.join('.')
    const shown = rows.get(name)
    assert.ok(shown !== undefined, `README has no row for ${name}`)
    const def = key.defaultValue
    const expected = Array.isArray(def)
      ? JSON.stringify(def)
      : typeof def === 'string'
        ? def === ''
          ? '""'
          : def
        : String(def)
    assert.equal(shown, expected, `README default of ${name}`)
  }
  const known = new Set(keys.map((k) => k.path.join('.')))
  for (const name of rows.keys()) assert.ok(known.has(name), `README documents unknown key ${name}`)
})
