import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startDnsServer } from '../../test/harness/dns-server.ts'
import {
  cachingResolve,
  createNetworkResolver,
  dnsError,
  dnsErrorCode,
  reverseName,
  staticResolver,
} from './resolver.ts'

test('network resolver asks a DNS server on loopback: MX, A, AAAA, TXT, NXDOMAIN, NODATA', async () => {
  const dns = await startDnsServer({
    records: {
      'b.test': [
        { type: 'MX', data: { preference: 10, exchange: 'mx.b.test' } },
        { type: 'TXT', data: ['v=spf1 ', 'ip4:127.0.0.3 -all'] },
      ],
      'mx.b.test': [
        { type: 'A', data: '127.0.0.3' },
        { type: 'AAAA', data: '::1' },
      ],
    },
  })
  try {
    const resolver = createNetworkResolver({ servers: [dns.address], timeoutMs: 1000 })
    assert.deepEqual(await resolver.mx('b.test'), [{ exchange: 'mx.b.test', priority: 10 }])
    assert.deepEqual(await resolver.txt('b.test'), [['v=spf1 ', 'ip4:127.0.0.3 -all']])
    assert.deepEqual(await resolver.a('mx.b.test'), ['127.0.0.3'])
    assert.deepEqual(await resolver.aaaa('mx.b.test'), ['::1'])
    await assert.rejects(resolver.a('nope.test'), (err) => dnsErrorCode(err) === 'ENOTFOUND')
    await assert.rejects(resolver.a('b.test'), (err) => dnsErrorCode(err) === 'ENODATA')
    // Cached: a second ask does not reach the server.
    await resolver.mx('b.test')
    assert.equal(dns.queries.get('MX b.test'), 1)
  } finally {
    await dns.close()
  }
})

test('a server that never answers gives ETIMEOUT within the timeout', async () => {
  const dns = await startDnsServer()
  dns.zone.silent.add('slow.test')
  try {
    const resolver = createNetworkResolver({ servers: [dns.address], timeoutMs: 100, tries: 1 })
    const started = Date.now()
    await assert.rejects(resolver.a('slow.test'), (err) => dnsErrorCode(err) === 'ETIMEOUT')
    assert.ok(Date.now() - started < 2000)
  } finally {
    await dns.close()
  }
})

test('the cache keeps answers and not-found for their time, shares queries in flight', async () => {
  let now = 0
  let asks = 0
  const resolve = cachingResolve(
    (name, rrtype) => {
      asks++
      return name === 'x.test'
        ? Promise.resolve(['1.2.3.4'])
        : Promise.reject(dnsError('ENOTFOUND', name, rrtype))
    },
    { clock: () => now, maxCacheMs: 1000, negativeCacheMs: 500, maxEntries: 10 },
  )
  await Promise.all([resolve('x.test', 'A'), resolve('X.test', 'A')])
  assert.equal(asks, 1)
  await assert.rejects(resolve('y.test', 'A'))
  await assert.rejects(resolve('y.test', 'A'))
  assert.equal(asks, 2)
  now = 600
  await assert.rejects(resolve('y.test', 'A'))
  assert.equal(asks, 3)
  await resolve('x.test', 'A')
  assert.equal(asks, 3)
  now = 1100
  await resolve('x.test', 'A')
  assert.equal(asks, 4)
})

test('static resolver and reverse names', async () => {
  const r = staticResolver({ 'a.test': { TXT: [['hello']] } })
  assert.deepEqual(await r.txt('a.test.'), [['hello']])
  await assert.rejects(r.mx('a.test'), (err) => dnsErrorCode(err) === 'ENODATA')
  assert.equal(reverseName('192.0.2.1'), '1.2.0.192.in-addr.arpa')
  assert.equal(
    reverseName('2001:db8::1'),
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
  )
})
