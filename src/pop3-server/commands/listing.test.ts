import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Pop3Transcript, startPop3TestServer } from '../../../test/harness/pop3-transcript.ts'

test('STAT, LIST and UIDL, whole and for one message; missing and deleted messages', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const a = 'alice@example.test'
  await srv.deliver(a, 'Subject: 1\r\n\r\none\r\n')
  await srv.deliver(a, 'Subject: 22\r\n\r\ntwo\r\n')
  const box = await srv.store.mailboxes.get((await srv.store.accounts.get(a))?.id ?? 0, 'INBOX')
  const v = box?.uidValidity
  const c = await Pop3Transcript.login(srv.port, a)
  await c.ok('STAT', /^2 39$/)
  assert.deepEqual(await c.lines('LIST'), ['1 19', '2 20'])
  await c.ok('LIST 2', /^2 20$/)
  await c.err('LIST 3', /no such message/)
  await c.err('LIST 0', /no such message/)
  assert.deepEqual(await c.lines('UIDL'), [`1 ${v}.1`, `2 ${v}.2`])
  await c.ok('UIDL 1', new RegExp(`^1 ${v}\\.1$`))
  await c.ok('DELE 1')
  await c.ok('STAT', /^1 20$/)
  assert.deepEqual(await c.lines('LIST'), ['2 20'])
  assert.deepEqual(await c.lines('UIDL'), [`2 ${v}.2`])
  await c.err('LIST 1', /already deleted/)
  await c.err('UIDL 1', /already deleted/)
  c.close()
  await srv.close()
})

test('UIDLs are stable across sessions and not reused after deletion', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const a = 'alice@example.test'
  await srv.deliver(a, 'Subject: 1\r\n\r\none\r\n')
  await srv.deliver(a, 'Subject: 2\r\n\r\ntwo\r\n')
  const c = await Pop3Transcript.login(srv.port, a)
  const before = await c.lines('UIDL')
  await c.ok('DELE 1')
  await c.ok('QUIT')
  await c.expectClosed()
  await srv.deliver(a, 'Subject: 3\r\n\r\nthree\r\n')
  const d = await Pop3Transcript.login(srv.port, a)
  const after = await d.lines('UIDL')
  assert.equal(after[0]?.split(' ')[1], before[1]?.split(' ')[1], 'message 2 kept its UIDL')
  assert.equal(after.length, 2)
  const ids = new Set([...before, ...after].map((l) => l.split(' ')[1]))
  assert.equal(ids.size, 3, 'the new message got a new UIDL')
  d.close()
  await srv.close()
})

test('messages arriving during the session are not in its maildrop', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const c = await Pop3Transcript.login(srv.port, 'alice@example.test')
  await srv.deliver('alice@example.test', 'Subject: late\r\n\r\nx\r\n')
  await c.ok('STAT', /^0 0$/)
  assert.deepEqual(await c.lines('LIST'), [])
  c.close()
  await srv.close()
})
