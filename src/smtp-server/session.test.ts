import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  startTestServer,
  SmtpTranscript,
  mailboxContents,
} from '../../test/harness/smtp-transcript.ts'

test('a command line over the limit gets 500 5.5.2 and the session goes on', async () => {
  const srv = await startTestServer({ settings: { maxLineBytes: 512 } })
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(500, `NOOP ${'x'.repeat(600)}`, /too long/)
  await s.transact(250, 'NOOP')
  s.close()
  await srv.close()
})

test('too many errors: 421 4.7.0 and the connection is closed', async () => {
  const srv = await startTestServer({ settings: { maxErrors: 3 } })
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(500, 'BOGUS')
  await s.transact(500, 'BOGUS')
  s.send('BOGUS')
  await s.expect(500)
  await s.expect(421, /4\.7\.0 too many errors/)
  await s.expectClosed()
  await srv.close()
})

test('idle timeout: 421 4.4.2 and close', async () => {
  const srv = await startTestServer({ settings: { idleTimeoutMs: 200 } })
  const s = await SmtpTranscript.open(srv.port)
  await s.expect(421, /4\.4\.2 idle timeout/)
  await s.expectClosed()
  await srv.close()
})

test('session time limit: 421 4.4.2 and close', async () => {
  const srv = await startTestServer({ settings: { sessionTimeoutMs: 300 } })
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'NOOP')
  await s.expect(421, /session time limit/)
  await s.expectClosed()
  await srv.close()
})

test('connections per IP are limited with 421', async () => {
  const srv = await startTestServer({ maxConnectionsPerIp: 2 })
  const a = await SmtpTranscript.open(srv.port)
  const b = await SmtpTranscript.open(srv.port)
  const c = await SmtpTranscript.connect(srv.port)
  await c.expect(421, /too many connections/)
  await c.expectClosed()
  a.close()
  await a.transact(250, 'NOOP').catch(() => undefined)
  // After one leaves, a new connection is welcome again.
  const deadline = Date.now() + 2000
  for (;;) {
    const d = await SmtpTranscript.connect(srv.port)
    const reply = await d.read()
    d.close()
    if (reply.code === 220) break
    assert.ok(Date.now() < deadline, 'slot never freed')
    await new Promise((r) => setTimeout(r, 20))
  }
  b.close()
  await srv.close()
})

test('smuggling: a bare-LF dot line does not end DATA; one message is stored', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.begin()
  await s.transact(354, 'DATA')
  s.raw(
    'Subject: smuggle\r\n\r\nbody\n.\nMAIL FROM:<evil@remote.example>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n\r\nsmuggled\r\n',
  )
  s.raw('\r\n.\r\n')
  await s.expect(250)
  await s.transact(250, 'NOOP')
  const [msg] = await mailboxContents(srv.store, 'alice@example.test')
  assert.match(msg?.body ?? '', /\nMAIL FROM:<evil@remote\.example>\r\n/)
  assert.equal((await mailboxContents(srv.store, 'bob@example.test')).length, 0)
  s.close()
  await srv.close()
})

test('1,000 concurrent deliveries in-process are all stored once, with distinct UIDs', async () => {
  const srv = await startTestServer()
  const sessions = 50
  const perSession = 20
  await Promise.all(
    Array.from({ length: sessions }, async (_, i) => {
      const s = await SmtpTranscript.open(srv.port)
      await s.transact(250, 'EHLO load.example')
      for (let j = 0; j < perSession; j++) {
        await s.transact(250, 'MAIL FROM:<load@remote.example>')
        await s.transact(250, 'RCPT TO:<alice@example.test>')
        await s.transact(354, 'DATA')
        await s.transact(250, `Subject: m-${i}-${j}\r\n\r\nbody\r\n.`)
      }
      s.close()
    }),
  )
  const msgs = await mailboxContents(srv.store, 'alice@example.test')
  assert.equal(msgs.length, sessions * perSession)
  const subjects = new Set(msgs.map((m) => /Subject: (\S+)/.exec(m.body)?.[1]))
  assert.equal(subjects.size, sessions * perSession)
  assert.deepEqual(
    msgs.map((m) => m.uid).sort((a, b) => a - b),
    Array.from({ length: sessions * perSession }, (_, k) => k + 1),
  )
  await srv.close()
})
