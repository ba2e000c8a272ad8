import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Pop3Transcript, startPop3TestServer } from '../../../test/harness/pop3-transcript.ts'

test('CAPA lists the capabilities for the state', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  assert.deepEqual(await c.lines('CAPA'), [
    'TOP',
    'UIDL',
    'USER',
    'SASL PLAIN LOGIN',
    'RESP-CODES',
    'AUTH-RESP-CODE',
    'PIPELINING',
    'EXPIRE NEVER',
    'IMPLEMENTATION Postern',
    'UTF8 USER',
    'STLS',
  ])
  await c.ok('USER alice@example.test')
  await c.ok('PASS secret pw')
  const after = await c.lines('CAPA')
  assert.ok(!after.includes('USER') && !after.includes('STLS') && after.includes('TOP'))
  c.close()
  const s = await Pop3Transcript.open(srv.tlsPort, { isImplicitTls: true })
  const overTls = await s.lines('CAPA')
  assert.ok(overTls.includes('USER') && !overTls.includes('STLS'))
  s.close()
  await srv.close()
})
