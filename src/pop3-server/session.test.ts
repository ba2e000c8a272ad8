import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Pop3Transcript, startPop3TestServer } from '../../test/harness/pop3-transcript.ts'

test('greeting, NOOP, QUIT in AUTHORIZATION; commands in the wrong state', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  await c.err('STAT', /not allowed in the authorization state/)
  await c.err('NOOP', /not allowed/)
  await c.err('APOP alice x', /unknown command/)
  await c.ok('USER alice@example.test')
  await c.ok('PASS secret pw')
  await c.ok('NOOP')
  await c.err('USER bob@example.test', /not allowed in the transaction state/)
  await c.ok('QUIT')
  await c.expectClosed()
  const d = await Pop3Transcript.open(srv.port)
  await d.ok('QUIT', /signing off/)
  await d.expectClosed()
  await srv.close()
})

test('a line over the limit is refused, and the session goes on', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  await c.err(`USER ${'x'.repeat(2000)}`, /line too long/)
  await c.ok('USER alice@example.test')
  c.close()
  await srv.close()
})

test('too many bad commands close the connection', async (t) => {
  const srv = await startPop3TestServer({ settings: { maxBadCommands: 3 } })
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  await c.err('FOO', /unknown/)
  await c.err('BAR', /unknown/)
  await c.err('RETR x', /number/)
  await c.read().then((r) => {
    assert.match(r.text, /too many bad commands/)
  })
  await c.expectClosed()
  await srv.close()
})

test('pipelined commands are answered in order', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  await srv.deliver('alice@example.test', 'Subject: p\r\n\r\np\r\n')
  const c = await Pop3Transcript.open(srv.port)
  c.raw('USER alice@example.test\r\nPASS secret pw\r\nSTAT\r\nRETR 1\r\nNOOP\r\n')
  await c.read()
  await c.read()
  assert.equal((await c.read()).text, '1 17')
  assert.equal((await c.read()).text, '17 octets')
  assert.equal((await c.readBody()).toString(), 'Subject: p\r\n\r\np\r\n')
  assert.ok((await c.read()).isOk)
  c.close()
  await srv.close()
})

test('pop3s speaks TLS from the first byte', async (t) => {
  const srv = await startPop3TestServer({ settings: { isPlaintextAllowed: () => false } })
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.tlsPort, { isImplicitTls: true })
  await c.ok('USER alice@example.test')
  await c.ok('PASS secret pw')
  await c.ok('QUIT')
  await srv.close()
})

test('connections beyond the per-IP limit get -ERR [SYS/TEMP]', async (t) => {
  const srv = await startPop3TestServer({ maxConnectionsPerIp: 1 })
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  await assert.rejects(Pop3Transcript.open(srv.port), /SYS\/TEMP|closed/)
  c.close()
  await srv.close()
})

test('the idle timer ends the session without deleting', async (t) => {
  const srv = await startPop3TestServer({ settings: { idleTimeoutMs: 1000 } })
  t.after(() => srv.close())
  await srv.deliver('alice@example.test', 'Subject: i\r\n\r\ni\r\n')
  const c = await Pop3Transcript.login(srv.port, 'alice@example.test')
  await c.ok('DELE 1')
  assert.match((await c.read()).text, /autologout/)
  await c.expectClosed()
  assert.equal((await srv.store.messages.list(await srv.inboxId('alice@example.test'))).length, 1)
  await srv.close()
})
