import { test } from 'node:test'
import assert from 'node:assert/strict'
import { staticResolver } from '../dns/resolver.ts'
import { domainReadiness } from './readiness.ts'

test('a ready domain: SPF, both DKIM keys, DMARC with its policy', async () => {
  const resolver = staticResolver({
    'example.org': { TXT: [['v=spf1 mx ip4:192.0.2.0/24 -all'], ['google-site-verification=x']] },
    'postern-rsa._domainkey.example.org': { TXT: [['v=DKIM1; k=rsa; p=MIIB', 'IjAN']] },
    'postern-ed25519._domainkey.example.org': { TXT: [['v=DKIM1; k=ed25519; p=11qY']] },
    '_dmarc.example.org': { TXT: [['v=DMARC1; p=quarantine; rua=mailto:d@example.org']] },
  })
  const checks = await domainReadiness({ resolver, domain: 'example.org', selector: 'postern' })
  assert.deepEqual(
    checks.map((c) => [c.name, c.status]),
    [
      ['SPF', 'ok'],
      ['DKIM', 'ok'],
      ['DMARC', 'ok'],
    ],
  )
  assert.match(checks[2]?.detail ?? '', /policy quarantine/)
})

test('missing and invalid records are told apart', async () => {
  const resolver = staticResolver({
    'bad.example': { TXT: [['v=spf1 -all'], ['v=spf1 mx -all']] },
    '_dmarc.bad.example': { TXT: [['v=DMARC1; rua=mailto:x@bad.example']] },
    'odd.example': { TXT: [['v=spf1 mx bogus:thing -all']] },
  })
  const bad = await domainReadiness({ resolver, domain: 'bad.example', selector: 'postern' })
  assert.deepEqual(
    bad.map((c) => c.status),
    ['invalid', 'missing', 'invalid'],
  )
  const odd = await domainReadiness({ resolver, domain: 'odd.example', selector: 'postern' })
  assert.equal(odd[0]?.status, 'invalid')
  assert.equal(odd[2]?.status, 'missing')
})
