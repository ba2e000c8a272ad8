import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  startTestServer,
  SmtpTranscript,
  type TestServerOptions,
} from '../../../test/harness/smtp-transcript.ts'
import { AuthFailureLimiter } from '../auth-limiter.ts'

const ALICE = 'alice@example.test'
const PASSWORD = 'correct horse'

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const plain = (user: string, password: string, authzid = ''): string =>
  b64(`${authzid}\0${user}\0${password}`)

function submissionServer(opts: TestServerOptions = {}) {
  return startTestServer({
    settings: { role: 'submission' },
    passwords: { [ALICE]: PASSWORD },
    ...opts,
  })
}

function hasAuth(lines: string[]): boolean {
  return lines.some((l) => l.slice(4) === 'AUTH SCRAM-SHA-256 PLAIN LOGIN')
}

test('EHLO offers AUTH on submission only, and before TLS only to plaintext networks', async () => {
  const mx = await startTestServer()
  const m = await SmtpTranscript.open(mx.port)
  assert.ok(!hasAuth((await m.transact(250, 'EHLO c.example')).lines))
  await m.transact(502, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`)
  m.close()
  await mx.close()

  const loopback = await submissionServer()
  const l = await SmtpTranscript.open(loopback.port)
  assert.ok(hasAuth((await l.transact(250, 'EHLO c.example')).lines))
  l.close()
  await loopback.close()

  const tlsOnly = await submissionServer({ submission: { isPlaintextAllowed: () => false } })
  const s = await SmtpTranscript.open(tlsOnly.port)
  assert.ok(!hasAuth((await s.transact(250, 'EHLO c.example')).lines))
  await s.transact(538, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`, /5\.7\.11/)
  await s.transact(220, 'STARTTLS')
  await s.upgrade()
  assert.ok(hasAuth((await s.transact(250, 'EHLO c.example')).lines))
  await s.transact(235, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`, /2\.7\.0/)
  s.close()
  await tlsOnly.close()
})

test('AUTH PLAIN with an initial response, then with a 334 challenge', async () => {
  const srv = await submissionServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(503, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`, /EHLO/)
  await s.transact(250, 'EHLO c.example')
  await s.transact(235, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`, /2\.7\.0/)
  await s.transact(503, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`, /already/)
  s.close()

  const t = await SmtpTranscript.open(srv.port)
  await t.transact(250, 'EHLO c.example')
  const challenge = await t.transact(334, 'AUTH PLAIN')
  assert.equal(challenge.lines[0], '334 ')
  await t.transact(235, plain('Alice@Example.test', PASSWORD, ALICE))
  t.close()
  await srv.close()
})

test('AUTH LOGIN: username and password prompts, with or without an initial response', async () => {
  const srv = await submissionServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  const user = await s.transact(334, 'AUTH LOGIN')
  assert.equal(user.lines[0], `334 ${b64('Username:')}`)
  const pass = await s.transact(334, b64(ALICE))
  assert.equal(pass.lines[0], `334 ${b64('Password:')}`)
  await s.transact(235, b64(PASSWORD))
  s.close()

  const t = await SmtpTranscript.open(srv.port)
  await t.transact(250, 'EHLO c.example')
  await t.transact(334, `AUTH login ${b64(ALICE)}`, /UGFzc3dvcmQ6/)
  await t.transact(535, b64('wrong'), /5\.7\.8/)
  t.close()
  await srv.close()
})

test('bad credentials, cancel, bad base64 and unknown mechanisms', async () => {
  const generous = await submissionServer({
    submission: {
      authLimiter: new AuthFailureLimiter({ maxFailures: 100, windowMs: 60_000, clock: Date.now }),
    },
  })
  const s = await SmtpTranscript.open(generous.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(535, `AUTH PLAIN ${plain(ALICE, 'wrong')}`, /5\.7\.8 authentication/)
  await s.transact(535, `AUTH PLAIN ${plain('nobody@example.test', PASSWORD)}`, /5\.7\.8/)
  await s.transact(535, `AUTH PLAIN ${plain('bob@example.test', PASSWORD)}`, /5\.7\.8/)
  // Acting as someone else (authzid) is not allowed, even with good credentials.
  await s.transact(535, `AUTH PLAIN ${plain(ALICE, PASSWORD, 'bob@example.test')}`)
  await s.transact(334, 'AUTH PLAIN')
  await s.transact(501, '*', /cancelled/)
  await s.transact(501, 'AUTH PLAIN not!base64', /5\.5\.2/)
  await s.transact(501, `AUTH PLAIN ${b64('no separators')}`)
  await s.transact(504, 'AUTH CRAM-MD5', /5\.5\.4/)
  // The session is still in step: a good login works.
  await s.transact(235, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`)
  s.close()
  await generous.close()
})

test('too many failures from one IP: 421 and close, and AUTH refused on new connections', async () => {
  const srv = await submissionServer() // the harness limit: 3 failures a minute
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(535, `AUTH PLAIN ${plain(ALICE, 'guess1')}`)
  await s.transact(535, `AUTH PLAIN ${plain(ALICE, 'guess2')}`)
  await s.transact(421, `AUTH PLAIN ${plain(ALICE, 'guess3')}`, /4\.7\.0 too many/)
  await s.expectClosed()
  const t = await SmtpTranscript.open(srv.port)
  await t.transact(250, 'EHLO c.example')
  // Even the right password is not looked at while the IP is blocked.
  await t.transact(421, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`)
  await t.expectClosed()
  const text = await srv.metrics.registry.metrics()
  assert.match(text, /postern_smtp_auth_total\{result="failed"\} 3/)
  assert.match(text, /postern_smtp_auth_total\{result="blocked"\} 1/)
  await srv.close()
})

test('MAIL needs AUTH on submission (530); STARTTLS forgets the login', async () => {
  const srv = await submissionServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(530, `MAIL FROM:<${ALICE}>`, /5\.7\.0 authentication required/)
  await s.transact(235, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`)
  await s.transact(503, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`)
  await s.transact(250, `MAIL FROM:<${ALICE}> AUTH=<>`)
  await s.transact(503, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`)
  await s.transact(250, 'RSET')
  await s.transact(220, 'STARTTLS')
  await s.upgrade()
  await s.transact(250, 'EHLO c.example')
  await s.transact(530, `MAIL FROM:<${ALICE}>`)
  s.close()
  await srv.close()
})

test('a failed AUTH is answered after the injected delay; a good one at once', async () => {
  const sleeps: number[] = []
  const srv = await submissionServer({
    submission: { authFailureDelayMs: 750 },
    sleep: (ms) => {
      sleeps.push(ms)
      return Promise.resolve()
    },
  })
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(235, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`)
  assert.deepEqual(sleeps, [])
  s.close()
  const t = await SmtpTranscript.open(srv.port)
  await t.transact(250, 'EHLO c.example')
  await t.transact(535, `AUTH PLAIN ${plain(ALICE, 'wrong')}`)
  assert.deepEqual(sleeps, [750])
  t.close()
  await srv.close()
})

test('submissions: implicit TLS from the first byte, AUTH offered at once', async () => {
  const srv = await submissionServer({
    isImplicitTls: true,
    submission: { isPlaintextAllowed: () => false },
  })
  const s = await SmtpTranscript.openTls(srv.port)
  const ehlo = await s.transact(250, 'EHLO c.example')
  assert.ok(hasAuth(ehlo.lines))
  assert.ok(!ehlo.lines.some((l) => l.includes('STARTTLS')))
  await s.transact(235, `AUTH PLAIN ${plain(ALICE, PASSWORD)}`)
  await s.transact(250, `MAIL FROM:<${ALICE}>`)
  s.close()
  await srv.close()
})
