import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Pop3Transcript, startPop3TestServer } from '../../../test/harness/pop3-transcript.ts'

const a = 'alice@example.test'

test('RETR serves the message byte-exact, dot-stuffed on the wire', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const raw = 'Subject: dots\r\n\r\n.\r\n..two\r\n.three\r\nend\r\n'
  await srv.deliver(a, raw)
  const c = await Pop3Transcript.login(srv.port, a)
  c.send('RETR 1')
  assert.equal((await c.read()).text, `${raw.length} octets`)
  assert.equal((await c.readBody()).toString(), raw)
  await c.err('RETR 2', /no such message/)
  c.close()
  await srv.close()
})

test('RETR of a message larger than one store piece (3 MB, binary-ish) is byte-exact', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const lines: string[] = []
  while (lines.length * 77 < 3 * 1024 * 1024) lines.push(`.${randomBytes(57).toString('base64')}`)
  const raw = Buffer.from(`Subject: big\r\n\r\n${lines.join('\r\n')}\r\n`)
  await srv.deliver(a, raw)
  const c = await Pop3Transcript.login(srv.port, a)
  assert.ok((await c.body('RETR 1')).equals(raw))
  c.close()
  await srv.close()
})

test('TOP sends the header and n body lines', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  await srv.deliver(a, 'Subject: t\r\nFrom: x@y\r\n\r\n.1\r\n2\r\n3\r\n')
  const c = await Pop3Transcript.login(srv.port, a)
  assert.equal((await c.body('TOP 1 0')).toString(), 'Subject: t\r\nFrom: x@y\r\n\r\n')
  assert.equal((await c.body('TOP 1 2')).toString(), 'Subject: t\r\nFrom: x@y\r\n\r\n.1\r\n2\r\n')
  assert.equal(
    (await c.body('TOP 1 99')).toString(),
    'Subject: t\r\nFrom: x@y\r\n\r\n.1\r\n2\r\n3\r\n',
  )
  await c.err('TOP 1', /line count/)
  await c.err('TOP 2 1', /no such message/)
  c.close()
  await srv.close()
})

test('a message expunged by another client answers -ERR, never another message', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  await srv.deliver(a, 'Subject: one\r\n\r\n1\r\n')
  await srv.deliver(a, 'Subject: two\r\n\r\n2\r\n')
  const c = await Pop3Transcript.login(srv.port, a)
  // An IMAP client expunges message 1 meanwhile, and a new message arrives.
  await srv.store.messages.expunge(await srv.inboxId(a), [1])
  await srv.deliver(a, 'Subject: three\r\n\r\n3\r\n')
  await c.err('RETR 1', /removed by another client/)
  await c.err('TOP 1 0', /removed by another client/)
  assert.equal((await c.body('RETR 2')).toString(), 'Subject: two\r\n\r\n2\r\n')
  await c.ok('STAT', /^2 /) // the snapshot is unchanged
  await c.ok('DELE 1')
  await c.ok('DELE 2')
  await c.ok('QUIT', /0 messages left/)
  await c.expectClosed()
  const left = await srv.store.messages.list(await srv.inboxId(a))
  assert.deepEqual(
    left.map((r) => r.uid),
    [3],
  )
  await srv.close()
})
