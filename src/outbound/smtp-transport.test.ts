// The transport against scripted SMTP servers and a DNS server on loopback: routing, replies,
// protocol extensions (test/harness/transport-world.ts sets the world up).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startScriptedSmtpServer } from '../../test/harness/scripted-smtp-server.ts'
import { request, world } from '../../test/harness/transport-world.ts'
import { isSlowDownReply } from './smtp-transport.ts'

test('delivered: envelope, body (dot-stuffed on the wire), outcome per recipient', async (t) => {
  const w = await world(t)
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => [r.id, r.kind, r.reply.code, r.remoteHost]),
    [
      [1, 'delivered', 250, 'mx1.example.test [127.0.0.2]'],
      [2, 'delivered', 250, 'mx1.example.test [127.0.0.2]'],
    ],
  )
  const m = w.servers[0]?.messages[0]
  assert.equal(m?.mailFrom, 'sender@postern.test')
  assert.deepEqual(m.rcpts, ['a@example.test', 'b@example.test'])
  assert.equal(m.data.toString(), 'Subject: hi\r\n\r\n.dot line\r\nbody\r\n')
  assert.equal(m.mailParams.SIZE, String(request().message.length))
  assert.equal(out.slowDown, undefined)
  assert.ok(out.log.some((l) => l.startsWith('>>> MAIL FROM:<sender@postern.test>')))
  assert.equal(w.servers[0]?.connections[0]?.helo, 'postern.test')
})

test('451 to RCPT is temporary; 550 5.1.1 is permanent for that recipient only', async (t) => {
  const w = await world(t, {
    servers: [
      {
        on: {
          RCPT: (c) =>
            c.address === 'a@example.test' ? '451 4.3.0 try later' : '550 5.1.1 no such user',
        },
      },
    ],
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => [r.id, r.kind, r.reply.code, r.reply.enhanced]),
    [
      [1, 'temporary', 451, '4.3.0'],
      [2, 'permanent', 550, '5.1.1'],
    ],
  )
  assert.equal(w.servers[0]?.commands('DATA').length, 0, 'no DATA without an accepted RCPT')
  assert.equal(w.servers[0].commands('RSET').length, 1)
})

test('one recipient refused, the other delivered; DATA reply applies to accepted ones', async (t) => {
  const w = await world(t, {
    servers: [
      { on: { RCPT: (c) => (c.address === 'b@example.test' ? '550 5.1.1 gone' : undefined) } },
    ],
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => [r.id, r.kind]),
    [
      [1, 'delivered'],
      [2, 'permanent'],
    ],
  )
  assert.deepEqual(w.servers[0]?.messages[0]?.rcpts, ['a@example.test'])
})

test('a 5xx after the final dot is permanent for the accepted recipients', async (t) => {
  const w = await world(t, { servers: [{ on: { DOT: () => '554 5.6.0 content rejected' } }] })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => [r.kind, r.reply.enhanced]),
    [
      ['permanent', '5.6.0'],
      ['permanent', '5.6.0'],
    ],
  )
})

test('5xx to MAIL is permanent for all; 4xx to MAIL temporary for all', async (t) => {
  const w = await world(t, {
    servers: [
      { on: { MAIL: (c) => (c.count === 1 ? '553 5.7.1 sender refused' : '452 4.3.1 full') } },
    ],
  })
  const first = await w.transport.deliver(request())
  assert.deepEqual(
    first.recipients.map((r) => r.kind),
    ['permanent', 'permanent'],
  )
  const second = await w.transport.deliver(request())
  assert.deepEqual(
    second.recipients.map((r) => r.kind),
    ['temporary', 'temporary'],
  )
})

test('first MX refuses connections (nothing listens) → the second MX is used', async (t) => {
  const w = await world(t, {
    servers: [{}],
    records: {
      'example.test': [
        { type: 'MX', data: { preference: 10, exchange: 'dead.example.test' } },
        { type: 'MX', data: { preference: 20, exchange: 'mx1.example.test' } },
      ],
      'dead.example.test': [{ type: 'A', data: '127.0.0.4' }],
    },
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.ok(out.log.some((l) => l.includes('dead.example.test') && l.includes('connect failed')))
})

test('every MX failing → temporary for all', async (t) => {
  const w = await world(t, {
    servers: [{ greeting: () => '554 5.3.2 not now' }],
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => [r.kind, r.reply.code]),
    [
      ['temporary', 554],
      ['temporary', 554],
    ],
  )
})

test('421 greeting on the first MX: slowDown, and the second MX takes the message', async (t) => {
  const w = await world(t, { servers: [{ greeting: () => '421 4.7.0 too fast, slow down' }, {}] })
  const out = await w.transport.deliver(request())
  assert.equal(out.slowDown, true)
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.equal(w.servers[1]?.messages.length, 1)
})

test('421 to RCPT → temporary and slowDown', async (t) => {
  const w = await world(t, {
    servers: [{ on: { RCPT: () => ({ reply: '421 4.7.28 rate limited', close: true }) } }],
  })
  const out = await w.transport.deliver(
    request({ recipients: [{ id: 1, address: 'a@example.test' }] }),
  )
  assert.equal(out.slowDown, true)
  assert.equal(out.recipients[0]?.kind, 'temporary')
})

test('null MX → permanent 5.1.10 without any connection', async (t) => {
  const w = await world(t, {
    records: { 'example.test': [{ type: 'MX', data: { preference: 0, exchange: '.' } }] },
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => [r.kind, r.reply.enhanced]),
    [
      ['permanent', '5.1.10'],
      ['permanent', '5.1.10'],
    ],
  )
  assert.equal(w.servers[0]?.connections.length, 0)
})

test('implicit MX (no MX record, an A record) and a non-existent domain', async (t) => {
  const w = await world(t, { records: { 'example.test': [{ type: 'A', data: '127.0.0.2' }] } })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  const missing = await w.transport.deliver(request({ domain: 'missing.test' }))
  assert.deepEqual(
    missing.recipients.map((r) => [r.kind, r.reply.enhanced]),
    [
      ['permanent', '5.1.2'],
      ['permanent', '5.1.2'],
    ],
  )
})
test('PIPELINING: MAIL and the RCPTs go in one write; without it, one by one', async (t) => {
  const w = await world(t, {
    servers: [{}, { extensions: ['8BITMIME'] }],
    records: {
      'example.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx1.example.test' } }],
      'other.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx2.example.test' } }],
    },
  })
  await w.transport.deliver(request())
  const batches = (w.servers[0]?.commands() ?? [])
    .filter((c) => c.verb === 'MAIL' || c.verb === 'RCPT')
    .map((c) => c.batch)
  assert.equal(batches.length, 3)
  assert.equal(new Set(batches).size, 1)
  await w.transport.deliver(
    request({
      domain: 'other.test',
      recipients: [
        { id: 1, address: 'a@other.test' },
        { id: 2, address: 'b@other.test' },
      ],
    }),
  )
  const plain = (w.servers[1]?.commands() ?? [])
    .filter((c) => c.verb === 'MAIL' || c.verb === 'RCPT')
    .map((c) => c.batch)
  assert.equal(new Set(plain).size, 3)
})

test('DSN parameters only when the server offers DSN; BODY and SMTPUTF8 when needed', async (t) => {
  const w = await world(t, {
    servers: [{}, { extensions: ['PIPELINING', '8BITMIME'] }],
    records: {
      'example.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx1.example.test' } }],
      'other.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx2.example.test' } }],
    },
  })
  const dsn = {
    ret: 'HDRS' as const,
    envid: 'env 1',
    eightBit: true,
    recipients: [
      {
        id: 1,
        address: 'a@example.test',
        notify: ['FAILURE' as const, 'DELAY' as const],
        orcpt: 'rfc822;a@example.test',
      },
    ],
  }
  await w.transport.deliver(request({ ...dsn, smtputf8: true }))
  const m = w.servers[0]?.messages[0]
  assert.deepEqual(m?.mailParams, {
    SIZE: String(request().message.length),
    BODY: '8BITMIME',
    SMTPUTF8: '',
    RET: 'HDRS',
    ENVID: 'env+201',
  })
  assert.deepEqual(m.rcptParams, [{ NOTIFY: 'FAILURE,DELAY', ORCPT: 'rfc822;a@example.test' }])
  await w.transport.deliver(
    request({
      ...dsn,
      domain: 'other.test',
      recipients: [{ ...dsn.recipients[0], id: 1, address: 'a@other.test' }],
    }),
  )
  const n = w.servers[1]?.messages[0]
  assert.deepEqual(n?.mailParams, { BODY: '8BITMIME' })
  assert.deepEqual(n.rcptParams, [{}])
})

test('SIZE over the server limit → 5.3.4; SMTPUTF8 needed but missing → 5.6.7; nothing sent', async (t) => {
  const w = await world(t, { servers: [{ extensions: ['PIPELINING', 'SIZE 10'] }] })
  const big = await w.transport.deliver(request())
  assert.deepEqual(
    big.recipients.map((r) => [r.kind, r.reply.enhanced]),
    [
      ['permanent', '5.3.4'],
      ['permanent', '5.3.4'],
    ],
  )
  const utf8 = await w.transport.deliver(request({ message: Buffer.from('x\r\n'), smtputf8: true }))
  assert.deepEqual(
    utf8.recipients.map((r) => [r.kind, r.reply.enhanced]),
    [
      ['permanent', '5.6.7'],
      ['permanent', '5.6.7'],
    ],
  )
  assert.equal(w.servers[0]?.commands('MAIL').length, 0)
})
test('EHLO refused with 5xx → HELO; no extensions used', async (t) => {
  const w = await world(t, { servers: [{ on: { EHLO: () => '502 5.5.1 what' } }] })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.equal(w.servers[0]?.commands('HELO').length, 1)
  assert.deepEqual(w.servers[0].messages[0]?.mailParams, {})
})

test('a server that does not answer in time → the next MX', async (t) => {
  const w = await world(t, {
    servers: [{ on: { MAIL: () => ({ delayMs: 5000 }) } }, {}],
    transport: {
      timeouts: {
        connectMs: 1000,
        commandMs: 200,
        dataInitMs: 200,
        dataBlockMs: 200,
        dataEndMs: 200,
      },
    },
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.equal(w.servers[1]?.messages.length, 1)
  assert.ok(out.log.some((l) => l.includes('timeout')))
})

test('a server greeting with our own name is a loop: 5.4.6', async (t) => {
  const w = await world(t, { servers: [{ hostname: 'postern.test' }] })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => [r.kind, r.reply.enhanced]),
    [
      ['permanent', '5.4.6'],
      ['permanent', '5.4.6'],
    ],
  )
})

test('the source address is bound (outbound.source_ipv4)', async (t) => {
  const w = await world(t, { transport: { sourceIpv4: '127.0.0.9' } })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.equal(w.servers[0]?.connections[0]?.remoteAddress, '127.0.0.9')
})

test('IPv6: AAAA is tried before A (::1 on loopback)', async (t) => {
  const v6 = await startScriptedSmtpServer({ host: '::1', hostname: 'mx1.example.test' })
  t.after(() => v6.close())
  const w = await world(t, {
    servers: [{ port: v6.port }],
    records: {
      'example.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx1.example.test' } }],
      'mx1.example.test': [
        { type: 'A', data: '127.0.0.2' },
        { type: 'AAAA', data: '::1' },
      ],
    },
    transport: { families: [6, 4] },
  })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => [r.kind, r.remoteHost]),
    [
      ['delivered', 'mx1.example.test [::1]'],
      ['delivered', 'mx1.example.test [::1]'],
    ],
  )
  assert.equal(v6.messages.length, 1)
  assert.equal(w.servers[0]?.messages.length, 0)
})

test('a server that answers garbage is skipped like a broken connection', async (t) => {
  const w = await world(t, { servers: [{ greeting: () => 'hello there' }, {}] })
  const out = await w.transport.deliver(request())
  assert.deepEqual(
    out.recipients.map((r) => r.kind),
    ['delivered', 'delivered'],
  )
  assert.ok(out.log.some((l) => l.includes('protocol: not an SMTP reply')))
  assert.equal(w.servers[1]?.messages.length, 1)
})

test('isSlowDownReply: rate limits and 4.7.x slow the domain down, greylisting does not', () => {
  const cases: [{ code: number; enhanced?: string; text: string }, boolean][] = [
    [{ code: 421, enhanced: '4.7.0', text: 'too fast, slow down' }, true],
    [{ code: 450, enhanced: '4.7.1', text: 'try again later' }, true],
    [{ code: 451, text: 'rate limit exceeded' }, true],
    [{ code: 451, enhanced: '4.7.1', text: 'Greylisted, see https://example.test/grey' }, false],
    [{ code: 450, enhanced: '4.2.0', text: 'Recipient address rejected: Greylisted' }, false],
    [{ code: 451, enhanced: '4.7.1', text: 'Please try again later (graylisting)' }, false],
    [{ code: 451, enhanced: '4.3.0', text: 'temporary local problem' }, false],
    [{ code: 550, enhanced: '5.7.1', text: 'rate limit' }, false],
  ]
  for (const [reply, want] of cases) assert.equal(isSlowDownReply(reply), want, reply.text)
})
