import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  startTestServer,
  SmtpTranscript,
  mailboxContents,
} from '../../../test/harness/smtp-transcript.ts'

test('RCPT: unknown local user 550 5.1.1, non-local domain 554 5.7.1, before MAIL 503', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(503, 'RCPT TO:<alice@example.test>', /5\.5\.1/)
  await s.transact(250, 'MAIL FROM:<a@remote.example>')
  await s.transact(550, 'RCPT TO:<nobody@example.test>', /5\.1\.1/)
  await s.transact(554, 'RCPT TO:<victim@other.example>', /5\.7\.1 .*relay/)
  await s.transact(250, 'RCPT TO:<ALICE@Example.Test>', /2\.1\.5/)
  s.close()
  await srv.close()
})

test('RCPT: open-relay tricks are refused', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.begin([])
  await s.transact(550, 'RCPT TO:<user%other.example@example.test>')
  await s.transact(554, 'RCPT TO:<@relay.example:user@other.example>', /5\.7\.1/)
  await s.transact(550, 'RCPT TO:<"user@other.example"@example.test>')
  await s.transact(550, 'RCPT TO:<other.example!user@example.test>')
  await s.transact(554, 'DATA')
  s.close()
  await srv.close()
})

test('RCPT: trusted networks may relay; the remote recipient is queued', async () => {
  const srv = await startTestServer({ settings: { isTrustedClient: () => true } })
  const s = await SmtpTranscript.open(srv.port)
  await s.begin(['someone@other.example', 'alice@example.test'])
  await s.transact(354, 'DATA')
  await s.transact(250, 'Subject: relay\r\n\r\nhi\r\n.')
  const queued = await srv.store.queue.listRecipients()
  assert.deepEqual(
    queued.map((r) => [r.address, r.state]),
    [['someone@other.example', 'scheduled']],
  )
  assert.equal((await mailboxContents(srv.store, 'alice@example.test')).length, 1)
  s.close()
  await srv.close()
})

test('RCPT: recipient limit answers 452 4.5.3', async () => {
  const srv = await startTestServer({ settings: { maxRecipients: 2 } })
  const s = await SmtpTranscript.open(srv.port)
  await s.begin(['alice@example.test', 'bob@example.test'])
  await s.transact(452, 'RCPT TO:<alice@example.test>', /4\.5\.3/)
  s.close()
  await srv.close()
})

test('RCPT: aliases, catch-all, sub-addressing and Postmaster route to accounts', async () => {
  const srv = await startTestServer({
    accounts: ['alice@example.test', 'bob@example.test', 'postmaster@example.test'],
    aliases: {
      'team@example.test': ['alice@example.test', 'bob@example.test', 'far@remote.example'],
      '@example.test': ['bob@example.test'],
    },
  })
  const s = await SmtpTranscript.open(srv.port)
  await s.begin(['team@example.test', 'alice+news@example.test', 'whoever@example.test'])
  await s.transact(250, 'RCPT TO:<Postmaster>')
  await s.transact(354, 'DATA')
  await s.transact(250, 'Subject: fan-out\r\n\r\nhello\r\n.')
  // alice: via team and alice+news, once; bob: via team and the catch-all, once.
  assert.equal((await mailboxContents(srv.store, 'alice@example.test')).length, 1)
  assert.equal((await mailboxContents(srv.store, 'bob@example.test')).length, 1)
  assert.equal((await mailboxContents(srv.store, 'postmaster@example.test')).length, 1)
  const queued = await srv.store.queue.listRecipients()
  assert.deepEqual(
    queued.map((r) => r.address),
    ['far@remote.example'],
  )
  s.close()
  await srv.close()
})
