// Stage "authenticate" in the in-process server: the Authentication-Results field lands below
// our Received field, DNS that never answers costs at most the budget (the message is still
// accepted, with temperror), BDAT messages are checked too, and ctx.auth is filled.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EmailAuthenticator } from '../../email-auth/authenticator.ts'
import { resolverFrom, staticResolver } from '../../dns/resolver.ts'
import {
  startTestServer,
  SmtpTranscript,
  mailboxContents,
} from '../../../test/harness/smtp-transcript.ts'

function authenticator(timeoutMs = 2000): EmailAuthenticator {
  return new EmailAuthenticator({
    authservId: 'mx.example.test',
    timeoutMs,
    trustedForwarders: [],
    trustedArcSealers: [],
    dmarcExceptions: [],
  })
}

void test('A-R below our Received, before the original header; forged one removed', async () => {
  const srv = await startTestServer({
    emailAuth: authenticator(),
    resolver: staticResolver({
      'remote.example': { TXT: [['v=spf1 ip4:127.0.0.1 -all']] },
      '_dmarc.remote.example': { TXT: [['v=DMARC1; p=reject']] },
    }),
  })
  const s = await SmtpTranscript.open(srv.port)
  await s.begin()
  await s.transact(354, 'DATA')
  s.raw(
    'Authentication-Results: MX.example.test;\r\n\tdmarc=pass\r\n' +
      'From: a@remote.example\r\nSubject: hi\r\n\r\nbody\r\n.\r\n',
  )
  await s.expect(250, /queued as/)
  const [msg] = await mailboxContents(srv.store, 'alice@example.test')
  const body = msg?.body ?? ''
  const [received = '', ar = '', ...rest] = body.split(/\r\n(?![ \t])/)
  assert.match(received, /^Received: from client\.example/)
  assert.match(ar, /^Authentication-Results: mx\.example\.test;\r\n\tspf=pass /)
  assert.match(ar, /dmarc=pass \(p=REJECT dis=NONE\)\s+header\.from=remote\.example/)
  assert.equal(rest[0], 'From: a@remote.example')
  assert.equal(body.match(/Authentication-Results/g)?.length, 1)
  s.close()
  await srv.close()
})

void test('DNS that never answers: accepted within the budget, results temperror', async () => {
  const srv = await startTestServer({
    emailAuth: authenticator(100),
    resolver: resolverFrom(() => new Promise(() => undefined)),
  })
  const s = await SmtpTranscript.open(srv.port)
  await s.begin(['alice@example.test'], 'a@slow.example')
  await s.transact(354, 'DATA')
  const started = Date.now()
  s.raw('From: a@slow.example\r\nSubject: hi\r\n\r\nbody\r\n.\r\n')
  await s.expect(250, /queued as/)
  assert.ok(Date.now() - started < 2000, 'the session was not stalled')
  const [msg] = await mailboxContents(srv.store, 'alice@example.test')
  assert.match(msg?.body ?? '', /spf=temperror/)
  assert.match(msg?.body ?? '', /dmarc=temperror/)
  s.close()
  await srv.close()
})

void test('BDAT: a p=reject failure is refused at the last chunk with 550 5.7.1', async () => {
  const srv = await startTestServer({
    emailAuth: authenticator(),
    resolver: staticResolver({ '_dmarc.bank.example': { TXT: [['v=DMARC1; p=reject']] } }),
  })
  const s = await SmtpTranscript.open(srv.port)
  await s.begin()
  const data = 'From: ceo@bank.example\r\nSubject: pay\r\n\r\nnow\r\n'
  await s.transact(
    550,
    `BDAT ${Buffer.byteLength(data)} LAST\r\n${data}`.replace(/\r\n$/, ''),
    /5\.7\.1 .*DMARC p=reject/,
  )
  assert.equal((await mailboxContents(srv.store, 'alice@example.test')).length, 0)
  s.close()
  await srv.close()
})
