import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { outboundSchema } from '../config/schema.ts'
import { transportOptionsFromConfig } from './transport-config.ts'

test('defaults: port 25, RFC 5321 4.5.3.2 timeouts, MTA-STS on, no CA file', () => {
  const opts = transportOptionsFromConfig(outboundSchema.parse({}), (p) => p)
  assert.equal(opts.port, 25)
  assert.deepEqual(opts.timeouts, {
    connectMs: 30_000,
    commandMs: 300_000,
    dataInitMs: 120_000,
    dataBlockMs: 180_000,
    dataEndMs: 600_000,
  })
  assert.equal(opts.mtaSts, true)
  assert.equal(opts.tlsCa, undefined)
})

test('tls_ca is read relative to the data directory; short timeouts stay short', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postern-outcfg-'))
  try {
    writeFileSync(join(dir, 'ca.pem'), 'PEM')
    const config = outboundSchema.parse({
      tls_ca: 'ca.pem',
      command_timeout_ms: 1000,
      data_timeout_ms: 2000,
    })
    const opts = transportOptionsFromConfig(config, (p) => join(dir, p))
    assert.equal(opts.tlsCa?.toString(), 'PEM')
    assert.equal(opts.timeouts?.dataInitMs, 1000)
    assert.equal(opts.timeouts.dataBlockMs, 2000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
