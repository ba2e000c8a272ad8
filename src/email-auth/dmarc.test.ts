// DMARC (RFC 7489): record parsing, policy discovery (From domain, then Organizational
// Domain with sp=), alignment modes, and DNS failures.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { dnsError, type ResolveFn } from '../dns/resolver.ts'
import { evaluateDmarc, parseDmarcRecord } from './dmarc.ts'

function resolver(txt: Record<string, string[]>, failing: string[] = []): ResolveFn {
  return (name, rrtype) => {
    if (failing.includes(name)) return Promise.reject(dnsError('ESERVFAIL', name, rrtype))
    const v = txt[name]
    return v === undefined
      ? Promise.reject(dnsError('ENOTFOUND', name, rrtype))
      : Promise.resolve(v.map((t) => [t]))
  }
}

const none = { result: 'none' as const, domain: '' }
const random = (): number => 0.5

void test('record tags: defaults, case, invalid p with and without rua', () => {
  const r = parseDmarcRecord(
    'v=DMARC1; p=Reject; SP=none; adkim=s; pct=20; rua=mailto:a@x.example,bad',
    'x.example',
  )
  assert.deepEqual(
    { p: r?.p, sp: r?.sp, adkim: r?.adkim, aspf: r?.aspf, pct: r?.pct, rua: r?.rua },
    { p: 'reject', sp: 'none', adkim: 's', aspf: 'r', pct: 20, rua: ['mailto:a@x.example'] },
  )
  assert.equal(parseDmarcRecord('v=DMARC1; p=bogus; rua=mailto:a@x.example', 'x')?.p, 'none')
  assert.equal(parseDmarcRecord('v=DMARC1; p=bogus', 'x'), undefined)
  assert.equal(parseDmarcRecord('v=DMARC1; p=none; pct=250', 'x')?.pct, 100)
})

void test('discovery: the subdomain falls back to the Organizational Domain and takes sp=', async () => {
  const dns = resolver({ '_dmarc.example.co.uk': ['v=DMARC1; p=reject; sp=quarantine'] })
  const sub = await evaluateDmarc({
    fromDomain: 'News.Example.co.uk',
    spf: none,
    dkim: [],
    resolve: dns,
    random,
  })
  assert.equal(sub.result, 'fail')
  assert.equal(sub.orgDomain, 'example.co.uk')
  assert.equal(sub.record?.domain, 'example.co.uk')
  assert.equal(sub.policy, 'quarantine')
  const top = await evaluateDmarc({
    fromDomain: 'example.co.uk',
    spf: none,
    dkim: [],
    resolve: dns,
    random,
  })
  assert.equal(top.policy, 'reject')
})

void test('several DMARC records, or none, mean no policy; other TXT records are ignored', async () => {
  const two = resolver({ '_dmarc.a.example': ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] })
  assert.equal(
    (await evaluateDmarc({ fromDomain: 'a.example', spf: none, dkim: [], resolve: two, random }))
      .result,
    'none',
  )
  const other = resolver({ '_dmarc.a.example': ['hello', 'v=DMARC1; p=quarantine'] })
  assert.equal(
    (await evaluateDmarc({ fromDomain: 'a.example', spf: none, dkim: [], resolve: other, random }))
      .policy,
    'quarantine',
  )
})

void test('alignment: strict aspf refuses a subdomain, relaxed adkim accepts it', async () => {
  const dns = resolver({ '_dmarc.example.org': ['v=DMARC1; p=reject; aspf=s'] })
  const spfSub = await evaluateDmarc({
    fromDomain: 'example.org',
    spf: { result: 'pass', domain: 'bounce.example.org' },
    dkim: [{ result: 'pass', domain: 'other.example' }],
    resolve: dns,
    random,
  })
  assert.equal(spfSub.result, 'fail')
  const dkimSub = await evaluateDmarc({
    fromDomain: 'example.org',
    spf: none,
    dkim: [
      { result: 'fail', domain: 'example.org' },
      { result: 'pass', domain: 'mail.example.org' },
    ],
    resolve: dns,
    random,
  })
  assert.equal(dkimSub.result, 'pass')
  assert.equal(dkimSub.alignedDkimDomain, 'mail.example.org')
})

void test('a DNS failure is temperror, not "no policy"', async () => {
  const res = await evaluateDmarc({
    fromDomain: 'a.example',
    spf: none,
    dkim: [],
    resolve: resolver({}, ['_dmarc.a.example']),
    random,
  })
  assert.equal(res.result, 'temperror')
})
