// DNS blocklists against a DNS server on loopback that answers like a list: 127.0.0.2 (and a
// TXT reason) for what is listed, NXDOMAIN otherwise, silence for a list that is down.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createNetworkResolver } from '../../dns/resolver.ts'
import { startDnsServer, type TestDnsServer } from '../../../test/harness/dns-server.ts'
import type { SignalInput } from '../signal.ts'
import { DnsBlocklists, ipQueryName, parseDnsList, type DnsblOptions } from './dnsbl.ts'

function input(clientIp: string, body = 'hello\r\n', mailFrom = 'a@sender.example'): SignalInput {
  return {
    raw: Buffer.from(`Subject: x\r\n\r\n${body}`),
    clientIp,
    helo: 'x',
    mailFrom,
    rcpts: ['u@postern.test'],
    accountIds: [1],
    direction: 'inbound',
  }
}

async function withLists(
  opts: Partial<DnsblOptions>,
  fn: (dnsbl: DnsBlocklists, dns: TestDnsServer) => Promise<void>,
): Promise<void> {
  const dns = await startDnsServer({
    records: {
      '2.0.0.127.bl.test': [{ type: 'A', data: '127.0.0.2' }],
      '7.2.0.192.bl.test': [
        { type: 'A', data: '127.0.0.2' },
        { type: 'TXT', data: 'listed for spam, see https://bl.test/192.0.2.7' },
      ],
      '9.2.0.192.bl.test': [{ type: 'A', data: '127.255.255.254' }], // "query refused"
      'bad-shop.example.dbl.test': [{ type: 'A', data: '127.0.1.2' }],
      'spammer.example.dbl.test': [{ type: 'A', data: '127.0.1.2' }],
    },
  })
  // The resolver's own timeout is long: the blocklist budget alone must cut a silent list short.
  const resolver = createNetworkResolver({
    servers: [dns.address],
    timeoutMs: 5000,
    clock: Date.now,
  })
  const dnsbl = new DnsBlocklists({
    resolver,
    ipLists: [parseDnsList('bl.test:3')],
    domainLists: [parseDnsList('dbl.test:2.5')],
    timeoutMs: 300,
    maxDomains: 10,
    ...opts,
  })
  try {
    await fn(dnsbl, dns)
  } finally {
    await dns.close()
  }
}

void test('list specs and query names (RFC 5782 2.1, 2.4)', () => {
  assert.deepEqual(parseDnsList('zen.spamhaus.org:3'), { zone: 'zen.spamhaus.org', weight: 3 })
  assert.deepEqual(parseDnsList('Bl.Test.'), { zone: 'bl.test', weight: 1 })
  assert.equal(ipQueryName('192.0.2.7', 'bl.test'), '7.2.0.192.bl.test')
  assert.equal(ipQueryName('::ffff:192.0.2.7', 'bl.test'), '7.2.0.192.bl.test')
  assert.equal(
    ipQueryName('2001:db8::1', 'bl.test'),
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test',
  )
  assert.equal(ipQueryName('nonsense', 'bl.test'), undefined)
})

void test('a listed IP is a hit with the TXT reason; an unlisted one is not', async () => {
  await withLists({}, async (dnsbl) => {
    const hits = await dnsbl.evaluate(input('192.0.2.7'))
    const hit = hits.at(0)
    assert.equal(hits.length, 1)
    assert.ok(hit)
    assert.equal(hit.rule, 'DNSBL_BL_TEST')
    assert.equal(hit.source, 'dnsbl')
    assert.equal(hit.score, 3)
    assert.equal(
      hit.reason,
      'IP 192.0.2.7 is listed on bl.test (127.0.0.2): listed for spam, see https://bl.test/192.0.2.7',
    )
    assert.deepEqual(await dnsbl.evaluate(input('192.0.2.8')), [])
    // RFC 5782 5: the test entry 127.0.0.2 is listed.
    assert.equal((await dnsbl.evaluate(input('127.0.0.2'))).length, 1)
    // A "query refused" answer (127.255.255.x) is no listing.
    assert.deepEqual(await dnsbl.evaluate(input('192.0.2.9')), [])
  })
})

void test('URL and sender domains are asked of the domain lists', async () => {
  await withLists({}, async (dnsbl, dns) => {
    const body = 'Buy at <https://www.bad-shop.example/now> or https://fine.example/\r\n'
    const hits = await dnsbl.evaluate(input('192.0.2.8', body, 'x@spammer.example'))
    assert.deepEqual(hits.map((h) => h.reason).sort(), [
      'domain bad-shop.example is listed on dbl.test (127.0.1.2)',
      'domain spammer.example is listed on dbl.test (127.0.1.2)',
    ])
    assert.ok(hits.every((h) => h.score === 2.5))
    assert.equal(dns.queries.get('A www.bad-shop.example.dbl.test'), 1)
    assert.equal(dns.queries.get('A fine.example.dbl.test'), 1)
  })
})

void test('a list that does not answer costs at most the timeout, and is no hit', async () => {
  await withLists({}, async (dnsbl, dns) => {
    dns.zone.silent.add('8.2.0.192.bl.test')
    const started = Date.now()
    assert.deepEqual(await dnsbl.evaluate(input('192.0.2.8')), [])
    const took = Date.now() - started
    assert.ok(took >= 250 && took < 2000, `took ${String(took)} ms`)
    // The other lists still answer within the same budget.
    const hits = await dnsbl.evaluate(input('192.0.2.8', 'see https://bad-shop.example/\r\n'))
    assert.equal(hits.length, 1)
  })
})

void test('no lists configured: nothing is asked', async () => {
  await withLists({ ipLists: [], domainLists: [] }, async (dnsbl, dns) => {
    assert.equal(dnsbl.isEmpty, true)
    assert.deepEqual(await dnsbl.evaluate(input('192.0.2.7')), [])
    assert.equal(dns.queries.size, 0)
  })
})

void test('the outbound pre-flight asks only the domain lists', async () => {
  await withLists({}, async (dnsbl) => {
    const outbound = {
      ...input('192.0.2.7', 'see https://bad-shop.example/\r\n'),
      direction: 'outbound' as const,
    }
    const hits = await dnsbl.evaluate(outbound)
    assert.deepEqual(
      hits.map((h) => h.detail?.kind),
      ['domain'],
    )
  })
})
