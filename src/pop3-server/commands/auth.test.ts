import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  PASSWORD,
  Pop3Transcript,
  startPop3TestServer,
} from '../../../test/harness/pop3-transcript.ts'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

test('USER/PASS logs in and reports the maildrop; PASS needs USER first', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  await srv.deliver('alice@example.test', 'Subject: a\r\n\r\nhello\r\n')
  const c = await Pop3Transcript.open(srv.port)
  await c.err('PASS x', /USER first/)
  await c.ok('USER Alice@Example.test')
  await c.ok(`PASS ${PASSWORD}`, /1 messages \(21 octets\)/)
  await c.ok('QUIT')
  await c.expectClosed()
  await srv.close()
})

test('a wrong password gets -ERR [AUTH]; the third failure closes the connection', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  await c.ok('USER alice@example.test')
  await c.err('PASS wrong', /^\[AUTH\] /)
  await c.err(`PASS ${PASSWORD}`, /USER first/) // a failed PASS needs a new USER
  await c.ok('USER nobody@example.test')
  await c.err('PASS x', /^\[AUTH\] /)
  await c.ok('USER nodomain')
  await c.err('PASS x', /^\[AUTH\] /)
  await c.expectClosed()
  assert.match(await srv.metrics.render(), /postern_pop3_logins_total\{result="failed"\} 3/)
  await srv.close()
})

test('the failed-login delay is applied before the answer', async (t) => {
  const srv = await startPop3TestServer({ settings: { loginFailureDelayMs: 300 } })
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  await c.ok('USER alice@example.test')
  const t0 = Date.now()
  await c.err('PASS wrong', /AUTH/)
  assert.ok(Date.now() - t0 >= 250, 'delayed')
  c.close()
  await srv.close()
})

test('without TLS, logins are refused unless the network allows plaintext; STLS fixes it', async (t) => {
  const srv = await startPop3TestServer({ settings: { isPlaintextAllowed: () => false } })
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  const capa = await c.lines('CAPA')
  assert.ok(!capa.includes('USER') && !capa.some((l) => l.startsWith('SASL')))
  assert.ok(capa.includes('STLS'))
  await c.err('USER alice@example.test', /^\[AUTH\] .*STLS/)
  await c.err(`AUTH PLAIN ${b64(`\0alice@example.test\0${PASSWORD}`)}`, /^\[AUTH\] /)
  await c.ok('STLS')
  await c.upgrade()
  const after = await c.lines('CAPA')
  assert.ok(after.includes('USER') && !after.includes('STLS'))
  await c.ok('USER alice@example.test')
  await c.ok(`PASS ${PASSWORD}`)
  c.close()
  await srv.close()
})

test('AUTH PLAIN with an initial response, and with a continuation', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  await c.ok(`AUTH PLAIN ${b64(`\0alice@example.test\0${PASSWORD}`)}`, /maildrop has 0/)
  await c.ok('QUIT')
  const d = await Pop3Transcript.open(srv.port)
  const challenge = await d.ok('AUTH PLAIN')
  assert.equal(challenge.text, '')
  await d.err(b64(`\0bob@example.test\0wrong`), /^\[AUTH\] /)
  await d.ok('AUTH PLAIN')
  await d.ok(b64(`bob@example.test\0bob@example.test\0${PASSWORD}`), /maildrop/)
  d.close()
  await srv.close()
})

test('AUTH PLAIN refuses acting as another user', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  await c.err(`AUTH PLAIN ${b64(`bob@example.test\0alice@example.test\0${PASSWORD}`)}`, /AUTH/)
  c.close()
  await srv.close()
})

test('AUTH LOGIN with prompts, with an initial response, and cancelled with "*"', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  assert.equal((await c.ok('AUTH LOGIN')).text, b64('Username:'))
  assert.equal((await c.ok(b64('alice@example.test'))).text, b64('Password:'))
  await c.err('*', /cancelled/)
  await c.ok(`AUTH LOGIN ${b64('alice@example.test')}`)
  await c.ok(b64(PASSWORD), /maildrop has 0/)
  c.close()
  await srv.close()
})

test('AUTH errors: listing, unknown mechanism, bad base64', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const c = await Pop3Transcript.open(srv.port)
  assert.deepEqual(await c.lines('AUTH'), ['PLAIN', 'LOGIN'])
  await c.err('AUTH CRAM-MD5', /not supported/)
  await c.err('AUTH PLAIN !!!', /base64/)
  await c.ok('AUTH PLAIN')
  await c.err('not base64', /base64/)
  c.close()
  await srv.close()
})

test('one POP3 session per maildrop: -ERR [IN-USE] on either listener until QUIT or drop', async (t) => {
  const srv = await startPop3TestServer()
  t.after(() => srv.close())
  const first = await Pop3Transcript.login(srv.port, 'alice@example.test')
  const second = await Pop3Transcript.open(srv.port)
  await second.ok('USER alice@example.test')
  await second.err(`PASS ${PASSWORD}`, /^\[IN-USE\] /)
  const viaTls = await Pop3Transcript.open(srv.tlsPort, { isImplicitTls: true })
  await viaTls.ok('USER alice@example.test')
  await viaTls.err(`PASS ${PASSWORD}`, /^\[IN-USE\] /)
  // Another account is not affected.
  await (await Pop3Transcript.login(srv.port, 'bob@example.test')).ok('QUIT')
  await first.ok('QUIT')
  await first.expectClosed()
  await second.ok('USER alice@example.test')
  await second.ok(`PASS ${PASSWORD}`)
  second.close() // a dropped connection releases the lock too
  for (let i = 0; i < 50 && !(await tryLogin(srv.port)); i++) {
    await new Promise((r) => setTimeout(r, 20))
  }
  assert.equal(await tryLogin(srv.port), true)
  viaTls.close()
  await srv.close()
})

async function tryLogin(port: number): Promise<boolean> {
  const c = await Pop3Transcript.open(port)
  await c.ok('USER alice@example.test')
  c.send(`PASS ${PASSWORD}`)
  const r = await c.read()
  if (r.isOk) await c.ok('QUIT')
  c.close()
  return r.isOk
}
