import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestServer, SmtpTranscript } from '../../test/harness/smtp-transcript.ts'

test('greeting, NOOP, RSET, VRFY, EXPN, HELP, AUTH, unknown verb, QUIT', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.connect(srv.port)
  await s.expect(220, /^mx\.example\.test ESMTP/)
  await s.transact(250, 'NOOP')
  await s.transact(250, 'noop with args')
  await s.transact(250, 'RSET')
  await s.transact(501, 'RSET now')
  await s.transact(252, 'VRFY alice', /2\.0\.0/)
  await s.transact(502, 'EXPN staff')
  const help = await s.transact(214, 'HELP')
  assert.match(help.text, /EHLO/)
  await s.transact(502, 'AUTH PLAIN AGFsaWNlAHNlY3JldA==')
  await s.transact(500, 'FOO bar', /5\.5\.2/)
  await s.transact(221, 'QUIT', /closing/)
  await s.expectClosed()
  await srv.close()
})

test('STARTTLS: commands pipelined after it are discarded, state is reset', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(250, 'MAIL FROM:<a@remote.example>')
  // RFC 3207 4.2 / CVE-2011-0411: the injected RCPT must not survive the upgrade.
  s.raw('STARTTLS\r\nRCPT TO:<alice@example.test>\r\n')
  await s.expect(220)
  await s.upgrade()
  await s.transact(503, 'MAIL FROM:<a@remote.example>', /HELO|EHLO/)
  await s.transact(250, 'EHLO c.example')
  await s.transact(503, 'RCPT TO:<alice@example.test>')
  await s.transact(503, 'STARTTLS', /already/)
  await s.transact(250, 'MAIL FROM:<a@remote.example>')
  await s.transact(250, 'RCPT TO:<alice@example.test>')
  await s.transact(354, 'DATA')
  await s.transact(250, 'Subject: tls\r\n\r\nsecret\r\n.')
  const account = await srv.store.accounts.get('alice@example.test')
  const inbox = await srv.store.mailboxes.get(account?.id ?? 0, 'INBOX')
  const [row] = await srv.store.messages.list(inbox?.id ?? 0)
  const body = (await srv.store.messages.body(row?.blobId ?? 0))?.toString() ?? ''
  assert.match(body, /with ESMTPS id/)
  s.close()
  await srv.close()
})

test('STARTTLS is refused when no certificate is configured', async () => {
  const srv = await startTestServer({ withTls: false })
  const s = await SmtpTranscript.open(srv.port)
  const ehlo = await s.transact(250, 'EHLO c.example')
  assert.ok(!ehlo.lines.some((l) => l.includes('STARTTLS')))
  await s.transact(454, 'STARTTLS', /4\.7\.0/)
  s.close()
  await srv.close()
})
