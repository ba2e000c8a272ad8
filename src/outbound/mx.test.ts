import { test } from 'node:test'
import assert from 'node:assert/strict'
import { staticResolver, resolverFrom, dnsError } from '../dns/resolver.ts'
import { startDnsServer } from '../../test/harness/dns-server.ts'
import { createNetworkResolver } from '../dns/resolver.ts'
import { lookupMx, orderMx, resolveHostAddresses } from './mx.ts'

test('MX hosts by preference; equal preferences shuffled with the injected random', () => {
  const records = [
    { exchange: 'c.example.', priority: 20 },
    { exchange: 'A.example', priority: 10 },
    { exchange: 'b.example', priority: 10 },
    { exchange: 'a.example', priority: 30 },
  ]
  // random() = 0.99 keeps the order (j = i); 0 swaps the first two of the group.
  assert.deepEqual(
    orderMx(records, () => 0.99).map((h) => h.name),
    ['a.example', 'b.example', 'c.example'],
  )
  assert.deepEqual(
    orderMx(records, () => 0).map((h) => h.name),
    ['b.example', 'a.example', 'c.example'],
  )
})

test('shuffling reaches every order of an equal-preference group', () => {
  const records = ['a', 'b', 'c'].map((x) => ({ exchange: `${x}.example`, priority: 5 }))
  const seen = new Set<string>()
  let seed = 1
  const random = (): number => {
    seed = (seed * 16807) % 2147483647
    return seed / 2147483647
  }
  for (let i = 0; i < 200; i++)
    seen.add(
      orderMx(records, random)
        .map((h) => h.name)
        .join(','),
    )
  assert.equal(seen.size, 6)
})

test('null MX, implicit MX, no domain, temporary failure', async () => {
  const resolver = staticResolver({
    'null.example': { MX: [{ exchange: '.', priority: 0 }] },
    'null2.example': { MX: [{ exchange: '', priority: 0 }] },
    'implicit.example': { A: ['127.0.0.5'] },
    'bare.example': { TXT: [['v=spf1 -all']] },
    'mx.example': { MX: [{ exchange: 'mx1.mx.example', priority: 10 }] },
  })
  assert.deepEqual(await lookupMx('null.example', { resolver }), { kind: 'null-mx' })
  assert.deepEqual(await lookupMx('NULL2.example.', { resolver }), { kind: 'null-mx' })
  assert.deepEqual(await lookupMx('implicit.example', { resolver }), {
    kind: 'hosts',
    hosts: [{ name: 'implicit.example', preference: 0, implicit: true }],
  })
  assert.equal((await lookupMx('bare.example', { resolver })).kind, 'no-domain')
  assert.equal((await lookupMx('missing.example', { resolver })).kind, 'no-domain')
  assert.deepEqual(await lookupMx('mx.example', { resolver }), {
    kind: 'hosts',
    hosts: [{ name: 'mx1.mx.example', preference: 10, implicit: false }],
  })
  const failing = resolverFrom((name, rrtype) => Promise.reject(dnsError('ETIMEOUT', name, rrtype)))
  assert.equal((await lookupMx('x.example', { resolver: failing })).kind, 'temporary')
})

test('host addresses: AAAA then A; a failed family is reported as temporary', async () => {
  const resolver = resolverFrom((name, rrtype) => {
    if (rrtype === 'A') return Promise.resolve(['127.0.0.9'])
    return Promise.reject(dnsError(name === 'h.example' ? 'ENODATA' : 'ESERVFAIL', name, rrtype))
  })
  assert.deepEqual(await resolveHostAddresses('h.example', { resolver }), {
    addresses: [{ ip: '127.0.0.9', family: 4 }],
  })
  assert.deepEqual(await resolveHostAddresses('f.example', { resolver }), {
    addresses: [{ ip: '127.0.0.9', family: 4 }],
    temporary: 'AAAA f.example: ESERVFAIL',
  })
})

test('against a DNS server on loopback: null MX and MX order', async () => {
  const dns = await startDnsServer({
    records: {
      'null.example': [{ type: 'MX', data: { preference: 0, exchange: '.' } }],
      'two.example': [
        { type: 'MX', data: { preference: 20, exchange: 'backup.two.example' } },
        { type: 'MX', data: { preference: 10, exchange: 'primary.two.example' } },
      ],
      'gone.example': [{ type: 'TXT', data: 'x' }],
    },
  })
  try {
    const resolver = createNetworkResolver({ servers: [dns.address], timeoutMs: 2000 })
    assert.deepEqual(await lookupMx('null.example', { resolver }), { kind: 'null-mx' })
    const two = await lookupMx('two.example', { resolver })
    assert.deepEqual(two.kind === 'hosts' ? two.hosts.map((h) => h.name) : two, [
      'primary.two.example',
      'backup.two.example',
    ])
    assert.equal((await lookupMx('gone.example', { resolver })).kind, 'no-domain')
    assert.equal((await lookupMx('nxdomain.example', { resolver })).kind, 'no-domain')
  } finally {
    await dns.close()
  }
})
