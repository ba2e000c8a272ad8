// The transport and TLS: opportunistic STARTTLS, the clear-text retry, MTA-STS (RFC 8461)
// enforce and testing against scripted servers with the test certificate.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request, testCert, world } from '../../test/harness/transport-world.ts'

test('STARTTLS is used when offered (opportunistic: the self-signed certificate is accepted)', async (t) => {
  const tls = await testCert()
  const w = await world(t, { servers: [{ tls, hostname: 'other-name.example.test' }] })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.equal(w.servers[0]?.messages[0]?.tls, true)
  assert.ok(out.log.some((l) => l.includes('certificate tls')))
})

test('a failed TLS handshake is retried in clear text', async (t) => {
  const tls = await testCert()
  const w = await world(t, {
    servers: [
      {
        tls,
        on: {
          STARTTLS: (c) => (c.conn.index === 1 ? { reply: '220 go', close: true } : undefined),
        },
      },
    ],
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.equal(w.servers[0]?.messages[0]?.tls, false)
  assert.ok(out.log.some((l) => l.includes('retrying without TLS')))
})

const POLICY = (mx: string): string =>
  `version: STSv1\r\nmode: enforce\r\nmx: ${mx}\r\nmax_age: 86400\r\n`

test('MTA-STS enforce: an MX not in the policy → temporary, nothing sent', async (t) => {
  const tls = await testCert()
  const fetched: string[] = []
  const w = await world(t, {
    servers: [{ tls }],
    records: {
      'example.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx1.example.test' } }],
      '_mta-sts.example.test': [{ type: 'TXT', data: 'v=STSv1; id=1' }],
    },
    transport: {
      mtaSts: true,
      mtaStsFetcher: (url) => {
        fetched.push(url)
        return Promise.resolve({
          status: 200,
          contentType: 'text/plain',
          body: POLICY('mx.elsewhere.test'),
        })
      },
    },
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => [r.kind, r.reply.enhanced]),
    [
      ['temporary', '4.7.5'],
      ['temporary', '4.7.5'],
    ],
  )
  assert.deepEqual(fetched, ['https://mta-sts.example.test/.well-known/mta-sts.txt'])
  assert.equal(w.servers[0]?.connections.length, 0)
})

test('MTA-STS enforce with a matching MX: verified TLS required and used', async (t) => {
  const tls = await testCert()
  const w = await world(t, {
    // mx1 has a certificate for its name; mx2's certificate is for mx1 (a name mismatch).
    servers: [{ tls }, { tls }],
    records: {
      'example.test': [
        { type: 'MX', data: { preference: 10, exchange: 'mx2.example.test' } },
        { type: 'MX', data: { preference: 20, exchange: 'mx1.example.test' } },
      ],
      'mx1.example.test': [{ type: 'A', data: '127.0.0.2' }],
      'mx2.example.test': [{ type: 'A', data: '127.0.0.3' }],
      '_mta-sts.example.test': [{ type: 'TXT', data: 'v=STSv1; id=1' }],
    },
    transport: {
      mtaSts: true,
      tlsCa: tls.cert,
      mtaStsFetcher: () =>
        Promise.resolve({
          status: 200,
          contentType: 'text/plain; charset=utf-8',
          body: POLICY('*.example.test'),
        }),
    },
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.equal(w.servers[0]?.messages[0]?.tls, true)
  assert.equal(w.servers[1]?.messages.length, 0, 'mx2 failed the certificate check')
  assert.ok(out.log.some((l) => l.includes('certificate verified')))
  assert.ok(
    out.log.some((l) => l.includes('not valid')),
    out.log.join('\n'),
  )
})

test('MTA-STS enforce: no STARTTLS → temporary; testing mode delivers anyway', async (t) => {
  let mode = 'enforce'
  const w = await world(t, {
    servers: [{}],
    records: {
      'example.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx1.example.test' } }],
      '_mta-sts.example.test': [{ type: 'TXT', data: 'v=STSv1; id=1' }],
    },
    transport: {
      mtaSts: true,
      mtaStsFetcher: () =>
        Promise.resolve({
          status: 200,
          contentType: 'text/plain',
          body: POLICY('mx1.example.test').replace('enforce', mode),
        }),
    },
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => [r.kind, r.reply.enhanced]),
    [
      ['temporary', '4.7.5'],
      ['temporary', '4.7.5'],
    ],
  )
  mode = 'testing'
  const again = await w.transport.deliver(request())
  assert.deepEqual(
    again.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
})
