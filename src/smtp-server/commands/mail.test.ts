import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestServer, SmtpTranscript } from '../../../test/harness/smtp-transcript.ts'

test('MAIL needs a greeting, refuses nesting, and checks SIZE', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(503, 'MAIL FROM:<a@remote.example>', /5\.5\.1/)
  await s.transact(250, 'EHLO c.example')
  await s.transact(552, 'MAIL FROM:<a@remote.example> SIZE=99999999', /5\.3\.4/)
  await s.transact(250, 'MAIL FROM:<a@remote.example> SIZE=1000 BODY=8BITMIME', /2\.1\.0/)
  await s.transact(503, 'MAIL FROM:<b@remote.example>', /nested/)
  await s.transact(250, 'RSET')
  await s.transact(250, 'MAIL FROM:<>')
  s.close()
  await srv.close()
})

test('MAIL refuses bad syntax and unknown parameters', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(501, 'MAIL FROM:a@remote.example')
  await s.transact(555, 'MAIL FROM:<a@remote.example> FOO=BAR', /5\.5\.4/)
  await s.transact(501, 'MAIL FROM:<a@remote.example> RET=MAYBE')
  await s.transact(250, 'MAIL FROM:<a@remote.example> RET=HDRS ENVID=abc+2Bdef')
  s.close()
  await srv.close()
})

test('DSN RET and ENVID are kept with the message', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(250, 'MAIL FROM:<a@remote.example> RET=HDRS ENVID=abc+2Bdef')
  await s.transact(
    250,
    'RCPT TO:<alice@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice@example.test',
  )
  await s.transact(354, 'DATA')
  await s.transact(250, 'Subject: dsn\r\n\r\nbody\r\n.')
  const account = await srv.store.accounts.get('alice@example.test')
  const inbox = await srv.store.mailboxes.get(account?.id ?? 0, 'INBOX')
  const [row] = await srv.store.messages.list(inbox?.id ?? 0)
  assert.ok(row)
  const envelope = await srv.store.messages.envelope(row.id)
  assert.deepEqual(envelope, {
    mailFrom: 'a@remote.example',
    dsn: { ret: 'HDRS', envid: 'abc+def' },
    rcptTo: 'alice@example.test',
    rcptDsn: { notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;alice@example.test' },
  })
  s.close()
  await srv.close()
})

test('SMTPUTF8: UTF-8 addresses need the parameter; the Received header says UTF8SMTP', async () => {
  const srv = await startTestServer({ accounts: ['alice@example.test', 'jörg@example.test'] })
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(553, 'MAIL FROM:<müller@remote.example>', /5\.6\.7/)
  await s.transact(250, 'MAIL FROM:<müller@remote.example> SMTPUTF8 BODY=8BITMIME')
  await s.transact(250, 'RCPT TO:<jörg@example.test>')
  await s.transact(354, 'DATA')
  await s.transact(250, 'Subject: grüße\r\n\r\nÄpfel\r\n.')
  const account = await srv.store.accounts.get('jörg@example.test')
  const inbox = await srv.store.mailboxes.get(account?.id ?? 0, 'INBOX')
  const [row] = await srv.store.messages.list(inbox?.id ?? 0)
  const body = (await srv.store.messages.body(row?.blobId ?? 0))?.toString('utf8') ?? ''
  assert.match(body, /with UTF8SMTP id /)
  assert.ok(body.endsWith('Subject: grüße\r\n\r\nÄpfel\r\n'))
  s.close()
  await srv.close()
})
