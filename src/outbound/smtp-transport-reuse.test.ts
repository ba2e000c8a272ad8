// Connection reuse: the pool keeps sessions per host, RSET after aborted transactions, QUIT on
// close, limits, dead or dirty pooled sessions replaced.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request, world } from '../../test/harness/transport-world.ts'

test('the connection is reused for the next message; RSET only after an aborted one', async (t) => {
  const w = await world(t, {
    servers: [{ on: { RCPT: (c) => (c.count === 3 ? '550 5.1.1 no' : undefined) } }],
  })
  const one = [{ id: 1, address: 'a@example.test' }]
  assert.equal(
    (await w.transport.deliver(request({ recipients: one }))).recipients[0]?.kind,
    'delivered',
  )
  assert.equal(
    (await w.transport.deliver(request({ recipients: one }))).recipients[0]?.kind,
    'delivered',
  )
  assert.equal(
    (await w.transport.deliver(request({ recipients: one }))).recipients[0]?.kind,
    'permanent',
  )
  assert.equal(
    (await w.transport.deliver(request({ recipients: one }))).recipients[0]?.kind,
    'delivered',
  )
  const srv = w.servers[0]
  assert.equal(srv?.connections.length, 1)
  assert.equal(srv.messages.length, 3)
  assert.deepEqual(
    srv
      .commands()
      .map((c) => c.verb)
      .filter((v) => v !== 'EHLO'),
    [
      'MAIL',
      'RCPT',
      'DATA',
      'DOT',
      'MAIL',
      'RCPT',
      'DATA',
      'DOT',
      'MAIL',
      'RCPT',
      'RSET',
      'MAIL',
      'RCPT',
      'DATA',
      'DOT',
    ],
  )
  await w.transport.close()
  await srv.waitFor(() => srv.connections[0]?.closed === true)
  assert.equal(srv.commands('QUIT').length, 1)
})

test('concurrent deliveries to one host use separate connections, then both are pooled', async (t) => {
  const w = await world(t, { servers: [{ on: { DOT: () => ({ delayMs: 50 }) } }] })
  const outs = await Promise.all([w.transport.deliver(request()), w.transport.deliver(request())])
  for (const o of outs)
    assert.deepEqual(
      o.recipients.map((r) => r.kind),
      ['delivered', 'delivered'],
    )
  assert.equal(w.servers[0]?.connections.length, 2)
  assert.equal(w.transport.idleConnections, 2)
})

test('max messages per connection, and a pooled connection the server closed', async (t) => {
  const w = await world(t, { transport: { maxMessagesPerConnection: 1 } })
  await w.transport.deliver(request())
  await w.transport.deliver(request())
  assert.equal(w.servers[0]?.connections.length, 2)
  const w2 = await world(t, { servers: [{ on: { DOT: () => ({ reply: '250 ok' }) } }] })
  await w2.transport.deliver(request())
  // The server drops the idle session; the next delivery notices and opens a new one.
  const srv = w2.servers[0]
  assert.ok(srv)
  srv.on.MAIL = (c) => (c.conn.index === 1 ? { close: true } : undefined)
  const out = await w2.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.equal(srv.connections.length, 2)
})

test('a pooled session with an unread reply (421 while idle) is not reused', async (t) => {
  const w = await world(t, {
    servers: [
      { on: { DOT: (c) => (c.count === 1 ? '250 2.0.0 ok\n421 4.4.2 idle too long' : undefined) } },
    ],
  })
  await w.transport.deliver(request())
  await w.servers[0]?.waitFor(() => w.servers[0]?.commands('DOT').length === 1)
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.equal(w.servers[0]?.connections.length, 2)
})
