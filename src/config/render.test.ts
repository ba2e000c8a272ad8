// Tests that the rendered postern.toml loads back to exactly the defaults.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'smol-toml'
import { loadConfig } from './load.ts'
import { renderConfigToml } from './render.ts'
import { configSchema } from './schema.ts'

void test('rendered config round-trips through loadConfig to the defaults', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'postern-render-'))
  try {
    const text = renderConfigToml({ hostname: 'mail.example.com' })
    writeFileSync(path.join(dir, 'postern.toml'), text)
    const loaded = loadConfig({ dataDir: dir, env: {} })
    const expected = configSchema.parse({ hostname: 'mail.example.com' })
    expected.store.path = path.join(dir, expected.store.path)
    expected.tls.cert = path.join(dir, expected.tls.cert)
    expected.tls.key = path.join(dir, expected.tls.key)
    assert.deepEqual(loaded, expected)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

void test('every key is written explicitly, each with a comment line above it', () => {
  const text = renderConfigToml({ hostname: 'h' })
  const parsed = JSON.parse(JSON.stringify(parse(text))) as unknown
  assert.deepEqual(parsed, configSchema.parse({ hostname: 'h' }))
  const lines = text.split('\n')
  lines.forEach((line, i) => {
    if (/^[a-z_]+ = /.test(line)) assert.match(lines[i - 1] ?? '', /^# \S/)
  })
})
