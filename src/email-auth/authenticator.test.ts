// The authenticator end to end over a table resolver: SPF, DKIM, DMARC policy and the local
// overrides, the Authentication-Results text, and the DNS time budget.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { dkimSign, sealMessage } from 'mailauth'
import { dnsError, resolverFrom, type ResolveFn, type RrType } from '../dns/resolver.ts'
import { EmailAuthenticator, type EmailAuthOptions } from './authenticator.ts'
import { dmarcReportRow } from './outcome.ts'

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const PUBLIC_B64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
const NOW = Date.parse('2026-11-28T05:00:00Z')

type Zone = Record<string, Partial<Record<RrType, unknown>>>

function zone(extra: Zone = {}): Zone {
  return {
    'sel._domainkey.example.org': { TXT: [[`v=DKIM1; k=rsa; p=${PUBLIC_B64}`]] },
    'arc._domainkey.lists.example.net': { TXT: [[`v=DKIM1; k=rsa; p=${PUBLIC_B64}`]] },
    'example.org': { TXT: [['v=spf1 ip4:192.0.2.10 -all']] },
    '_dmarc.example.org': { TXT: [['v=DMARC1; p=reject; rua=mailto:d@example.org']] },
    'quar.example': { TXT: [['v=spf1 -all']] },
    '_dmarc.quar.example': { TXT: [['v=DMARC1; p=quarantine']] },
    '_dmarc.half.example': { TXT: [['v=DMARC1; p=reject; pct=50']] },
    ...extra,
  }
}

function tableResolve(records: Zone): ResolveFn {
  const byName = new Map(Object.entries(records))
  return (name, rrtype) => {
    const entry = byName.get(name.toLowerCase().replace(/\.$/, ''))
    if (!entry) return Promise.reject(dnsError('ENOTFOUND', name, rrtype))
    const v = entry[rrtype]
    return v === undefined ? Promise.reject(dnsError('ENODATA', name, rrtype)) : Promise.resolve(v)
  }
}

function message(from: string, body = 'Hello.\r\n'): string {
  return (
    `From: Sender <${from}>\r\nTo: alice@example.test\r\nSubject: test\r\n` +
    `Date: Sat, 28 Nov 2026 05:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\n${body}`
  )
}

async function signed(raw: string, domain = 'example.org'): Promise<Buffer> {
  const res = await dkimSign(raw, {
    signingDomain: domain,
    selector: 'sel',
    privateKey: PRIVATE_PEM,
    signTime: new Date(NOW),
    signatureData: [{ signingDomain: domain, selector: 'sel', privateKey: PRIVATE_PEM }],
  })
  assert.notEqual(res.signatures, '')
  return Buffer.from(res.signatures + raw)
}

function authenticator(opts: Partial<EmailAuthOptions> = {}): EmailAuthenticator {
  return new EmailAuthenticator({
    authservId: 'mx.example.test',
    timeoutMs: 2000,
    trustedForwarders: [],
    trustedArcSealers: [],
    dmarcExceptions: [],
    random: () => 0.99,
    ...opts,
  })
}

const base = { ip: '198.51.100.7', helo: 'client.example.net', now: NOW }

void test('aligned DKIM passes DMARC even when SPF fails (SPF alone never rejects)', async () => {
  const check = await authenticator().check({
    ...base,
    message: await signed(message('news@example.org')),
    mailFrom: 'bounce@example.org',
    resolve: tableResolve(zone()),
  })
  const { outcome } = check
  assert.equal(outcome.spf.result, 'fail')
  assert.deepEqual(
    outcome.dkim.map((d) => [d.result, d.domain, d.selector, d.aligned]),
    [['pass', 'example.org', 'sel', true]],
  )
  assert.equal(outcome.dmarc.result, 'pass')
  assert.equal(outcome.dmarc.disposition, 'none')
  assert.equal(outcome.dmarc.record?.p, 'reject')
  assert.deepEqual(outcome.dmarc.record.rua, ['mailto:d@example.org'])
  assert.match(check.field, /^Authentication-Results: mx\.example\.test;\r\n\t/)
  assert.match(check.field, /\bspf=fail\b/)
  assert.match(check.field, /\bdkim=pass\b[^;]*header\.[ids]=/)
  assert.match(check.field, /\bdmarc=pass \(p=REJECT dis=NONE\)\s+header\.from=example\.org/)
  for (const line of check.field.split('\r\n')) assert.ok(line.length <= 998)
})

void test('SPF pass for the MAIL FROM and HELO identities aligns without DKIM', async () => {
  const { outcome } = await authenticator().check({
    ...base,
    ip: '192.0.2.10',
    helo: 'example.org',
    message: Buffer.from(message('a@example.org')),
    mailFrom: 'a@example.org',
    resolve: tableResolve(zone()),
  })
  assert.equal(outcome.spf.result, 'pass')
  assert.equal(outcome.spf.helo, 'pass')
  assert.equal(outcome.dmarc.result, 'pass')
  assert.equal(outcome.dmarc.spfAligned, true)
})

void test('a spoofed From of a p=reject domain is rejected; altered body fails DKIM', async () => {
  const good = await signed(message('ceo@example.org'))
  const altered = Buffer.from(good.toString('latin1').replace('Hello.', 'Hellp.'), 'latin1')
  const { outcome } = await authenticator().check({
    ...base,
    message: altered,
    mailFrom: 'x@attacker.example',
    resolve: tableResolve(zone()),
  })
  assert.equal(outcome.dkim[0]?.result, 'fail')
  assert.equal(outcome.dmarc.result, 'fail')
  assert.equal(outcome.dmarc.policy, 'reject')
  assert.equal(outcome.dmarc.disposition, 'reject')
})

void test('p=quarantine fails to quarantine; pct sampling lowers the policy one step', async () => {
  const quar = await authenticator().check({
    ...base,
    message: Buffer.from(message('a@quar.example')),
    mailFrom: 'a@quar.example',
    resolve: tableResolve(zone()),
  })
  assert.equal(quar.outcome.dmarc.disposition, 'quarantine')
  assert.equal(quar.outcome.spf.result, 'fail')
  const sampled = await authenticator({ random: () => 0.7 }).check({
    ...base,
    message: Buffer.from(message('a@half.example')),
    mailFrom: '',
    resolve: tableResolve(zone()),
  })
  assert.equal(sampled.outcome.dmarc.policy, 'reject')
  assert.equal(sampled.outcome.dmarc.disposition, 'quarantine')
  assert.deepEqual(
    sampled.outcome.dmarc.overrides?.map((o) => o.type),
    ['sampled_out'],
  )
  const applied = await authenticator({ random: () => 0.2 }).check({
    ...base,
    message: Buffer.from(message('a@half.example')),
    mailFrom: '',
    resolve: tableResolve(zone()),
  })
  assert.equal(applied.outcome.dmarc.disposition, 'reject')
})

void test('local overrides: exceptions, trusted forwarders by CIDR and by confirmed name', async () => {
  const spoof = { ...base, message: Buffer.from(message('ceo@example.org')), mailFrom: '' }
  const exc = await authenticator({ dmarcExceptions: ['example.org'] }).check({
    ...spoof,
    resolve: tableResolve(zone()),
  })
  assert.equal(exc.outcome.dmarc.result, 'fail')
  assert.equal(exc.outcome.dmarc.disposition, 'none')
  assert.equal(exc.outcome.dmarc.overrides?.[0]?.type, 'local_policy')
  const cidr = await authenticator({ trustedForwarders: ['198.51.100.0/24'] }).check({
    ...spoof,
    resolve: tableResolve(zone()),
  })
  assert.equal(cidr.outcome.dmarc.disposition, 'none')
  assert.equal(cidr.outcome.dmarc.overrides?.[0]?.type, 'trusted_forwarder')
  const named = await authenticator({ trustedForwarders: ['lists.example.net'] }).check({
    ...spoof,
    resolve: tableResolve(
      zone({
        '7.100.51.198.in-addr.arpa': { PTR: ['relay.lists.example.net'] },
        'relay.lists.example.net': { A: ['198.51.100.7'] },
      }),
    ),
  })
  assert.equal(named.outcome.dmarc.disposition, 'none')
  const unconfirmed = await authenticator({ trustedForwarders: ['lists.example.net'] }).check({
    ...spoof,
    resolve: tableResolve(
      zone({ '7.100.51.198.in-addr.arpa': { PTR: ['relay.lists.example.net'] } }),
    ),
  })
  assert.equal(unconfirmed.outcome.dmarc.disposition, 'reject')
})

void test('DNS that never answers: temperror within the budget, message not rejected', async () => {
  const hang: ResolveFn = () => new Promise(() => undefined)
  const started = Date.now()
  const check = await authenticator({ timeoutMs: 50 }).check({
    ...base,
    message: await signed(message('ceo@example.org')),
    mailFrom: 'a@example.org',
    resolve: resolverFrom(hang).resolve,
  })
  assert.ok(Date.now() - started < 1000, 'bounded by the budget')
  assert.equal(check.timedOut, true)
  assert.equal(check.outcome.spf.result, 'temperror')
  assert.equal(check.outcome.dmarc.result, 'temperror')
  assert.equal(check.outcome.dmarc.disposition, 'none')
})

void test('no From domain and no DNS data: none everywhere, still a header', async () => {
  const check = await authenticator().check({
    ...base,
    message: Buffer.from('Subject: x\r\n\r\nbody\r\n'),
    mailFrom: '',
    resolve: tableResolve({}),
  })
  assert.equal(check.outcome.dmarc.result, 'none')
  assert.equal(check.outcome.dkim.length, 0)
  assert.match(check.field, /dkim=none/)
})

void test('a trusted ARC sealer vouching for a pass excuses a DMARC failure', async () => {
  const raw = message('ceo@example.org')
  const seal = await sealMessage(raw, {
    signingDomain: 'lists.example.net',
    selector: 'arc',
    privateKey: PRIVATE_PEM,
    cv: 'none',
    authResults:
      'mx.lists.example.net; spf=pass smtp.mailfrom=example.org; dmarc=pass header.from=example.org',
    signTime: new Date(NOW),
  })
  assert.ok(seal.length > 0)
  const input = {
    ...base,
    message: Buffer.concat([seal, Buffer.from(raw)]),
    mailFrom: '',
    resolve: tableResolve(zone()),
  }
  const trusted = await authenticator({ trustedArcSealers: ['example.net'] }).check(input)
  assert.equal(trusted.outcome.arc.result, 'pass')
  assert.equal(trusted.outcome.arc.sealer, 'lists.example.net')
  assert.equal(trusted.outcome.dmarc.result, 'fail')
  assert.equal(trusted.outcome.dmarc.disposition, 'none')
  assert.equal(trusted.outcome.dmarc.overrides?.[0]?.type, 'forwarded')
  assert.match(trusted.field, /arc=pass/)
  const untrusted = await authenticator({ trustedArcSealers: ['other.example'] }).check(input)
  assert.equal(untrusted.outcome.dmarc.disposition, 'reject')
})

void test('dmarcReportRow: what the DMARC report writer reads from ctx.auth', async () => {
  const { outcome } = await authenticator().check({
    ...base,
    message: await signed(message('news@example.org')),
    mailFrom: 'bounce@example.org',
    resolve: tableResolve(zone()),
  })
  const row = dmarcReportRow(outcome)
  assert.ok(row)
  assert.equal(row.policyDomain, 'example.org')
  assert.equal(row.sourceIp, base.ip)
  assert.equal(row.headerFrom, 'example.org')
  assert.equal(row.envelopeFrom, 'example.org')
  assert.equal(row.spf.scope, 'mfrom')
  assert.equal(row.disposition, 'none')
  assert.equal(row.dkimAligned, true)
  assert.equal(row.spfAligned, false)
  assert.deepEqual(row.dkim, [
    { domain: 'example.org', selector: 'sel', result: 'pass', aligned: true },
  ])
  assert.equal(dmarcReportRow(undefined), undefined)
})
