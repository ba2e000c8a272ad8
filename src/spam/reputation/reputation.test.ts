// Sender reputation on a real SQLite store: new senders neutral, a bad history positive, a good
// one negative, corrections weigh more, IPv4 /24 and IPv6 /64 grouping, authenticated domains.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteStore } from '../../store/dialects/sqlite/open-sqlite-store.ts'
import type { AuthOutcome } from '../../email-auth/outcome.ts'
import type { SignalInput } from '../signal.ts'
import { authenticatedDomain, ipNetworkKey, SenderReputation } from './reputation.ts'
import { messageOrigin } from './message-origin.ts'

async function withReputation(
  fn: (r: SenderReputation, clock: { now: number }) => Promise<void>,
): Promise<void> {
  const clock = { now: 1_700_000_000_000 }
  const dir = mkdtempSync(join(tmpdir(), 'postern-rep-'))
  const store = openSqliteStore({ path: join(dir, 'db.sqlite') })
  const reputation = new SenderReputation({
    repo: store.spamLearning.reputation,
    weight: 2.5,
    minMessages: 5,
    correctionWeight: 5,
    clock: () => clock.now,
  })
  try {
    await fn(reputation, clock)
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function input(clientIp: string, auth?: AuthOutcome): SignalInput {
  return {
    raw: Buffer.from('Subject: x\r\n\r\nhello\r\n'),
    clientIp,
    helo: 'mx.example',
    mailFrom: 'a@example.org',
    rcpts: ['u@postern.test'],
    accountIds: [1],
    direction: 'inbound',
    ...(auth === undefined ? {} : { auth }),
  }
}

function auth(dkimDomain: string): AuthOutcome {
  return {
    spf: { result: 'none', domain: 'bounce.example' },
    dkim: [{ result: 'pass', domain: dkimDomain, selector: 's', aligned: true }],
    dmarc: { result: 'pass', domain: dkimDomain, policy: 'none', disposition: 'none' },
    arc: { result: 'none' },
    header: '',
  }
}

void test('networks: IPv4 /24, IPv6 /64, IPv4-mapped IPv6 as IPv4', () => {
  assert.equal(ipNetworkKey('192.0.2.77'), 'ip:192.0.2.0/24')
  assert.equal(ipNetworkKey('::ffff:192.0.2.77'), 'ip:192.0.2.0/24')
  assert.equal(ipNetworkKey('2001:db8:1:2:3:4:5:6'), 'ip:2001:db8:1:2::/64')
  assert.equal(ipNetworkKey('2001:db8:1:2::9'), 'ip:2001:db8:1:2::/64')
  assert.equal(ipNetworkKey('not an ip'), undefined)
})

void test('a new sender is neutral; spam verdicts make its /24 score positive', async () => {
  await withReputation(async (r) => {
    assert.deepEqual(await r.evaluate(input('198.51.100.7')), [])
    for (let i = 0; i < 4; i++) await r.recordVerdict({ clientIp: '198.51.100.7', spam: true })
    assert.deepEqual(await r.evaluate(input('198.51.100.7')), []) // 4 < min_messages
    for (let i = 0; i < 36; i++) {
      await r.recordVerdict({ clientIp: `198.51.100.${String(i)}`, spam: true })
    }
    await r.recordVerdict({ clientIp: '198.51.100.9', spam: false })
    await r.recordVerdict({ clientIp: '198.51.100.9', spam: false })
    // Same /24, another address.
    const hit = (await r.evaluate(input('198.51.100.200'))).at(0)
    assert.ok(hit)
    assert.equal(hit.rule, 'REPUTATION_IP_BAD')
    assert.ok(hit.score > 2)
    assert.equal(hit.reason, 'IP 198.51.100.0/24: 40 spam, 2 ham seen')
    assert.deepEqual(await r.evaluate(input('198.51.101.1')), []) // another /24
    assert.equal(await r.isGood('198.51.100.1'), false)
  })
})

void test('a ham history scores negative and counts as good', async () => {
  await withReputation(async (r) => {
    for (let i = 0; i < 30; i++) await r.recordVerdict({ clientIp: '203.0.113.5', spam: false })
    const hit = (await r.evaluate(input('203.0.113.99'))).at(0)
    assert.ok(hit)
    assert.equal(hit.rule, 'REPUTATION_IP_GOOD')
    assert.ok(hit.score < -2)
    assert.equal(await r.isGood('203.0.113.1'), true)
  })
})

void test('IPv6 senders share the reputation of their /64', async () => {
  await withReputation(async (r) => {
    for (let i = 1; i <= 10; i++) {
      await r.recordVerdict({ clientIp: `2001:db8:aa:bb::${String(i)}`, spam: true })
    }
    const hit = (await r.evaluate(input('2001:db8:aa:bb:ffff::1'))).at(0)
    assert.ok(hit)
    assert.equal(hit.reason, 'IP 2001:db8:aa:bb::/64: 10 spam, 0 ham seen')
    assert.deepEqual(await r.evaluate(input('2001:db8:aa:bc::1')), [])
  })
})

void test('authenticated domains have their own reputation; corrections weigh more', async () => {
  await withReputation(async (r) => {
    for (let i = 0; i < 10; i++) {
      await r.recordVerdict({
        clientIp: `192.0.2.${String(i)}`,
        authDomain: 'news.example',
        spam: false,
      })
    }
    let hits = await r.evaluate(input('192.0.2.50', auth('news.example')))
    assert.ok(hits.some((h) => h.rule === 'REPUTATION_DOMAIN_GOOD'))
    // Users move three of its messages to Junk: 3 × 5 outweighs 10 ham verdicts.
    for (let i = 0; i < 3; i++) {
      await r.recordCorrection({ clientIp: '192.0.2.1', authDomain: 'news.example', spam: true })
    }
    hits = await r.evaluate(input('192.0.2.50', auth('news.example')))
    const domain = hits.find((h) => h.rule.startsWith('REPUTATION_DOMAIN'))
    assert.ok(domain)
    assert.equal(domain.rule, 'REPUTATION_DOMAIN_BAD')
    assert.equal(
      domain.reason,
      'domain news.example: 0 spam, 10 ham seen; users moved 3 to Junk, 0 out of it',
    )
    // Without authentication the claimed domain is not looked up.
    assert.ok((await r.evaluate(input('198.18.0.1'))).every((h) => !h.rule.includes('DOMAIN')))
  })
})

void test('the authenticated domain: aligned DKIM pass first, else SPF pass', () => {
  assert.equal(authenticatedDomain(auth('Example.ORG')), 'example.org')
  const spfOnly = { ...auth('x.example'), dkim: [] }
  assert.equal(authenticatedDomain(spfOnly), undefined) // SPF "none"
  assert.equal(
    authenticatedDomain({ ...spfOnly, spf: { result: 'pass', domain: 'bounce.example' } }),
    'bounce.example',
  )
})

void test('the origin of a stored message comes from our Received and Authentication-Results', () => {
  const raw = Buffer.from(
    'Received: from mx.sender.example ([IPv6:2001:db8::7])\r\n' +
      '\tby mail.postern.test (Postern) with ESMTPS id x;\r\n\tSat, 28 Nov 2026 05:00:00 +0000\r\n' +
      'Authentication-Results: mail.postern.test;\r\n\tspf=pass smtp.mailfrom=b@bounce.example;\r\n' +
      '\tdkim=pass header.d=other.example;\r\n\tdkim=pass header.d=news.example;\r\n' +
      '\tdmarc=pass header.from=news.example\r\n' +
      'Received: from evil ([10.0.0.1]) by elsewhere (Postern) with SMTP\r\n' +
      'Subject: x\r\n\r\nbody\r\n',
  )
  assert.deepEqual(messageOrigin(raw), { clientIp: '2001:db8::7', authDomain: 'news.example' })
  assert.deepEqual(messageOrigin(Buffer.from('Subject: x\r\n\r\n')), {})
})

void test('a subject not seen for a year is forgotten', async () => {
  await withReputation(async (r, clock) => {
    for (let i = 0; i < 10; i++) await r.recordVerdict({ clientIp: '192.0.2.1', spam: true })
    assert.equal((await r.evaluate(input('192.0.2.1'))).length, 1)
    clock.now += 366 * 86_400_000
    await r.recordVerdict({ clientIp: '203.0.113.1', spam: false }) // any write prunes
    assert.deepEqual(await r.evaluate(input('192.0.2.1')), [])
  })
})
