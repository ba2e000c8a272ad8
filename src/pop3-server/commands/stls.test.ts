import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Pop3Transcript, startPop3TestServer } from '../../../test/harness/pop3-transcript.ts'

test('STLS upgrades; commands pipelined after STLS are discarded; not twice, not after login', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  c.raw('STLS\r\nUSER alice@example.test\r\n')
  assert.ok((await c.read()).isOk)
  await c.upgrade()
  await c.err('PASS secret pw', /USER first/) // the pipelined USER was discarded
  await c.err('STLS', /already/)
  await c.ok('USER alice@example.test')
  await c.ok('PASS secret pw')
  await c.err('STLS', /not allowed in the transaction state/)
  c.close()
  await srv.close()
})

test('UTF8 is accepted before login only; UTF-8 user names work', async (t) => {
  const srv = await startPop3TestServer({ accounts: ['jörg@example.test'] })
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  await c.ok('UTF8')
  await c.ok('USER jörg@example.test')
  await c.ok('PASS secret pw')
  await c.err('UTF8', /not allowed/)
  c.close()
  await srv.close()
})
