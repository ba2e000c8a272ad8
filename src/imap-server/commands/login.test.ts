// Transcripts for CAPABILITY, LOGIN, AUTHENTICATE, STARTTLS, ENABLE, ID, LOGOUT and the
// session limits (RFC 9051 6.1, 6.2; RFC 4959; RFC 5161; RFC 2971).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ImapTranscript,
  PASSWORD,
  startImapTestServer,
} from '../../../test/harness/imap-transcript.ts'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

void test('LOGIN, CAPABILITY before and after, LOGOUT (RFC 9051 6.1.1, 6.2.3, 6.1.3)', async () => {
  const srv = await startImapTestServer()
  try {
    const c = await ImapTranscript.open(srv.port)
    const r = await c.transact('ok', 'CAPABILITY')
    assert.match(r.untagged[0] ?? '', /^\* CAPABILITY IMAP4rev2 IMAP4rev1 STARTTLS AUTH=PLAIN/)
    await c.transact('bad', 'SELECT INBOX') // not allowed before login
    await c.transact('no', 'LOGIN alice@example.test wrong')
    c.expectCode('AUTHENTICATIONFAILED')
    await c.transact('ok', `LOGIN alice@example.test "${PASSWORD}"`)
    assert.match(c.last.tagged, /\[CAPABILITY IMAP4rev2 .*\]/)
    assert.doesNotMatch(c.last.tagged, /STARTTLS|AUTH=/)
    await c.transact('bad', 'LOGIN alice@example.test x') // already authenticated
    const bye = await c.transact('ok', 'LOGOUT')
    assert.match(bye.untagged[0] ?? '', /^\* BYE/)
    await c.expectClosed()
  } finally {
    await srv.close()
  }
})

void test('AUTHENTICATE PLAIN with SASL-IR and LOGIN with challenges (RFC 4959, RFC 9051 6.2.2)', async () => {
  const srv = await startImapTestServer()
  try {
    const c = await ImapTranscript.open(srv.port)
    await c.transact('ok', `AUTHENTICATE PLAIN ${b64(`\0alice@example.test\0${PASSWORD}`)}`)
    c.close()
    const d = await ImapTranscript.open(srv.port)
    const tag = d.send('AUTHENTICATE LOGIN')
    assert.equal(await d.readLine(), `+ ${b64('Username:')}`)
    d.raw(`${b64('bob@example.test')}\r\n`)
    assert.equal(await d.readLine(), `+ ${b64('Password:')}`)
    d.raw(`${b64(PASSWORD)}\r\n`)
    const r = await d.response(tag)
    assert.match(r.tagged, /^A1 OK /)
    d.close()
    const e = await ImapTranscript.open(srv.port)
    const t2 = e.send('AUTHENTICATE PLAIN')
    assert.equal(await e.readLine(), '+ ')
    e.raw('*\r\n')
    assert.match((await e.response(t2)).tagged, /^A1 BAD /) // cancelled
    await e.transact('no', 'AUTHENTICATE CRAM-MD5')
    e.close()
  } finally {
    await srv.close()
  }
})

void test('plaintext login refused without TLS; STARTTLS then login; imaps (RFC 9051 6.2.1)', async () => {
  const srv = await startImapTestServer({ settings: { isPlaintextAllowed: () => false } })
  try {
    const c = await ImapTranscript.open(srv.port)
    const caps = await c.transact('ok', 'CAPABILITY')
    assert.match(caps.untagged[0] ?? '', /LOGINDISABLED/)
    await c.transact('no', `LOGIN alice@example.test "${PASSWORD}"`)
    c.expectCode('PRIVACYREQUIRED')
    await c.transact('ok', 'STARTTLS')
    await c.upgrade()
    const after = await c.transact('ok', 'CAPABILITY')
    assert.doesNotMatch(after.untagged[0] ?? '', /STARTTLS|LOGINDISABLED/)
    await c.transact('ok', `LOGIN alice@example.test "${PASSWORD}"`)
    c.close()
    const s = await ImapTranscript.open(srv.tlsPort, { isTls: true })
    await s.transact('ok', `LOGIN alice@example.test "${PASSWORD}"`)
    await s.transact('bad', 'STARTTLS')
    s.close()
  } finally {
    await srv.close()
  }
})

void test('limits: BAD commands then BYE, failed logins then BYE, literal refused (RFC 9051 7.5)', async () => {
  const srv = await startImapTestServer({
    settings: { maxBadCommands: 3, maxLoginFailures: 2, maxLineBytes: 1024 },
  })
  try {
    const c = await ImapTranscript.open(srv.port)
    await c.transact('bad', 'BOGUS')
    c.raw(`A9 NOOP ${'x'.repeat(2000)}\r\n`)
    assert.match(await c.readLine(), /BAD line too long/)
    await c.transact('bad', 'FETCH 1 FLAGS')
    assert.match(await c.readLine(), /^\* BYE too many bad commands/)
    await c.expectClosed()
    const d = await ImapTranscript.open(srv.port)
    await d.transact('no', 'LOGIN alice@example.test x')
    await d.transact('no', 'LOGIN alice@example.test y')
    assert.match(await d.readLine(), /^\* BYE/)
    await d.expectClosed()
    const e = await ImapTranscript.open(srv.port)
    e.raw('A1 LOGIN alice@example.test {100000}\r\n') // refused before the bytes are sent
    assert.match(await e.readLine(), /^A1 BAD /)
    await e.transact('ok', 'NOOP')
    e.close()
  } finally {
    await srv.close()
  }
})

void test('connections per account are limited (NO [LIMIT]); ENABLE; ID', async () => {
  const srv = await startImapTestServer({ settings: { maxConnectionsPerAccount: 1 } })
  try {
    const c = await ImapTranscript.login(srv.port)
    const d = await ImapTranscript.open(srv.port)
    await d.transact('no', `LOGIN alice@example.test "${PASSWORD}"`)
    d.expectCode('LIMIT')
    c.close()
    await new Promise((r) => setTimeout(r, 50))
    await d.transact('ok', `LOGIN alice@example.test "${PASSWORD}"`)
    const en = await d.transact('ok', 'ENABLE CONDSTORE UTF8=ACCEPT X-UNKNOWN')
    assert.deepEqual(en.untagged, ['* ENABLED CONDSTORE UTF8=ACCEPT'])
    const id = await d.transact('ok', 'ID ("name" "test")')
    assert.deepEqual(id.untagged, ['* ID ("name" "Postern")'])
    d.close()
  } finally {
    await srv.close()
  }
})
