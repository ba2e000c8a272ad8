// `postern check-message FILE` as a user runs it: the pre-flight score with its reasons, and
// the From domain's SPF/DKIM/DMARC readiness asked of a DNS server on loopback.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startDnsServer, type TestDnsServer } from '../harness/dns-server.ts'
import { runPostern } from '../harness/postern-process.ts'
import { buildMessage, strongSpam } from '../../src/spam/sample-messages.ts'

describe('postern check-message', { timeout: 60_000 }, () => {
  let dns: TestDnsServer
  let dir: string
  before(async () => {
    dns = await startDnsServer({
      records: {
        'ready.test': [{ type: 'TXT', data: 'v=spf1 mx -all' }],
        'postern-rsa._domainkey.ready.test': [{ type: 'TXT', data: 'v=DKIM1; k=rsa; p=MIIBIjAN' }],
        'postern-ed25519._domainkey.ready.test': [
          { type: 'TXT', data: 'v=DKIM1; k=ed25519; p=11qY' },
        ],
        '_dmarc.ready.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
      },
    })
    dir = mkdtempSync(path.join(tmpdir(), 'postern-check-'))
  })
  after(async () => {
    await dns.close()
    rmSync(dir, { recursive: true, force: true })
  })

  function env(): Record<string, string> {
    return {
      POSTERN_DATA: path.join(dir, 'data'),
      POSTERN_DNS_SERVERS: dns.address,
      POSTERN_DNS_TIMEOUT_MS: '2000',
    }
  }

  test('a clean message from a ready domain', async () => {
    const file = path.join(dir, 'clean.eml')
    writeFileSync(
      file,
      buildMessage({ from: 'Alice <alice@ready.test>', text: 'Notes from the Monday meeting.' }),
    )
    const r = await runPostern(['check-message', file], { env: env() })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Score:\s+0\.0 \(thresholds: pre-flight 8\.0\)/)
    assert.match(r.stdout, /would be delivered to the inbox/)
    assert.match(r.stdout, /SPF\s+ok\s+v=spf1 mx -all/)
    assert.match(
      r.stdout,
      /DKIM\s+ok\s+keys at postern-rsa\._domainkey\.ready\.test, postern-ed25519/,
    )
    assert.match(r.stdout, /DMARC\s+ok\s+policy reject/)
  })

  test('a spammy message from an unready domain: reasons and what is missing', async () => {
    const file = path.join(dir, 'spam.eml')
    writeFileSync(file, strongSpam())
    const r = await runPostern(['check-message', file, '--json'], { env: env() })
    assert.equal(r.code, 0, r.stderr)
    const report = JSON.parse(r.stdout) as {
      verdict: { action: string; hits: { rule: string; reason: string }[] }
      fromDomain: string
      readiness: { name: string; status: string }[]
    }
    assert.equal(report.verdict.action, 'refuse')
    assert.ok(report.verdict.hits.some((h) => h.rule === 'FROM_BRAND_MISMATCH'))
    assert.equal(report.fromDomain, 'pay-secure-login.test')
    assert.deepEqual(
      report.readiness.map((c) => c.status),
      ['missing', 'missing', 'missing'],
    )
  })

  test('an unreadable file is one line on stderr, exit 1', async () => {
    const r = await runPostern(['check-message', path.join(dir, 'nope.eml')], { env: env() })
    assert.equal(r.code, 1)
    assert.match(r.stderr, /cannot read/)
  })
})
