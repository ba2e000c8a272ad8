import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Pop3Transcript, startPop3TestServer } from '../../../test/harness/pop3-transcript.ts'

const a = 'alice@example.test'

async function uids(srv: Awaited<ReturnType<typeof startPop3TestServer>>): Promise<number[]> {
  return (await srv.store.messages.list(await srv.inboxId(a))).map((r) => r.uid)
}

test('DELE marks; RSET unmarks; QUIT removes the marked messages, durably and at once', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  for (const n of [1, 2, 3]) await srv.deliver(a, `Subject: ${n}\r\n\r\n${n}\r\n`)
  const c = await Pop3Transcript.login(srv.port, a)
  await c.ok('DELE 1', /message 1 deleted/)
  await c.err('DELE 1', /already deleted/)
  await c.err('RETR 1', /already deleted/)
  await c.err('DELE 4', /no such message/)
  await c.ok('RSET', /maildrop has 3 messages/)
  await c.ok('RETR 1')
  await c.readBody()
  await c.ok('DELE 1')
  await c.ok('DELE 3')
  assert.deepEqual(await uids(srv), [1, 2, 3], 'nothing removed before QUIT')
  await c.ok('QUIT', /1 messages left/)
  await c.expectClosed()
  assert.deepEqual(await uids(srv), [2])
  assert.match(await srv.metrics.render(), /postern_pop3_messages_deleted_total 2/)
  await srv.close()
})

test('a dropped connection deletes nothing', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  await srv.deliver(a, 'Subject: 1\r\n\r\n1\r\n')
  const c = await Pop3Transcript.login(srv.port, a)
  await c.ok('DELE 1')
  c.close()
  const d = await Pop3Transcript.login(srv.port, a).catch(async () => {
    await new Promise((r) => setTimeout(r, 100))
    return Pop3Transcript.login(srv.port, a)
  })
  await d.ok('STAT', /^1 /)
  await d.ok('QUIT')
  assert.deepEqual(await uids(srv), [1])
  await srv.close()
})
