import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseBounce } from './parse.ts'

function dsn(opts: { status: string; diagnostic: string; action?: string }): Buffer {
  return Buffer.from(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.postern.example>',
      'To: alice@postern.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered to bob@remote.example.',
      '',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.postern.example',
      'Original-Envelope-Id: env-42',
      '',
      'Final-Recipient: rfc822; Bob@Remote.Example',
      `Action: ${opts.action ?? 'failed'}`,
      `Status: ${opts.status}`,
      'Remote-MTA: dns; mx.remote.example',
      `Diagnostic-Code: smtp; ${opts.diagnostic}`,
      '',
      '--b1',
      'Content-Type: text/rfc822-headers',
      '',
      'From: Alice <alice@postern.example>',
      'To: bob@remote.example',
      'Subject: lunch?',
      'Message-ID: <m1@postern.example>',
      '',
      '--b1--',
      '',
    ].join('\r\n'),
  )
}

test('a DSN for an unknown user is a hard userunknown bounce', () => {
  const b = parseBounce(
    dsn({ status: '5.1.1', diagnostic: '550 5.1.1 <bob@remote.example>: User unknown' }),
  )
  assert.ok(b !== undefined)
  assert.equal(b.kind, 'dsn')
  assert.equal(b.envelopeId, 'env-42')
  assert.equal(b.originalMessageId, '<m1@postern.example>')
  assert.deepEqual(b.original, {
    from: 'Alice <alice@postern.example>',
    to: 'bob@remote.example',
    subject: 'lunch?',
  })
  assert.deepEqual(b.recipients, [
    {
      recipient: 'bob@remote.example',
      action: 'failed',
      status: '5.1.1',
      diagnostic: '550 5.1.1 <bob@remote.example>: User unknown',
      replyCode: '550',
      remoteMta: 'mx.remote.example',
      reason: 'userunknown',
      hard: true,
    },
  ])
})

test('a 4.2.2 mailbox full DSN is not a hard bounce', () => {
  const b = parseBounce(
    dsn({ status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full', action: 'delayed' }),
  )
  const r = b?.recipients[0]
  assert.ok(r !== undefined)
  assert.deepEqual([r.reason, r.hard, r.action], ['mailboxfull', false, 'delayed'])
})

test('LF, CRLF and CR-only line endings give the same result', () => {
  const crlf = dsn({ status: '5.1.1', diagnostic: '550 5.1.1 no such user' })
  const lf = Buffer.from(crlf.toString('latin1').replace(/\r\n/g, '\n'), 'latin1')
  const cr = Buffer.from(crlf.toString('latin1').replace(/\r\n/g, '\r'), 'latin1')
  const expected = parseBounce(crlf)
  assert.equal(expected?.recipients[0]?.reason, 'userunknown')
  assert.deepEqual(parseBounce(lf), expected)
  assert.deepEqual(parseBounce(cr), expected)
})

test('an ordinary message is not a bounce', () => {
  const raw = Buffer.from(
    'From: Carol <carol@example.org>\r\nTo: alice@postern.example\r\nSubject: Hello\r\n' +
      'Message-ID: <x@example.org>\r\n\r\nHi Alice, the meeting is at 550 Main Street.\r\n',
  )
  assert.equal(parseBounce(raw), undefined)
  const fromPostmaster = Buffer.from(
    'From: postmaster@example.org\nTo: alice@postern.example\nSubject: Our news\n\n' +
      '450 new users joined this month; write to team@example.org.\n',
  )
  assert.equal(parseBounce(fromPostmaster), undefined)
})

test('an auto-reply is an auto-reply, never a hard bounce', () => {
  const raw = Buffer.from(
    'From: Dave <dave@example.org>\nTo: alice@postern.example\nSubject: Out of office\n' +
      'Auto-Submitted: auto-replied\n\nI am away until Monday. No such user will answer.\n',
  )
  const b = parseBounce(raw)
  assert.equal(b?.kind, 'auto-reply')
  assert.deepEqual(
    b.recipients.map((r) => [r.recipient, r.reason, r.hard]),
    [['dave@example.org', 'vacation', false]],
  )
})

test('an Exim bounce without DSN is read by heuristics', () => {
  const raw = Buffer.from(
    [
      'From: Mail Delivery System <Mailer-Daemon@mx.example.net>',
      'To: alice@postern.example',
      'Subject: Mail delivery failed: returning message to sender',
      'X-Failed-Recipients: erin@example.net',
      '',
      'This message was created automatically by mail delivery software.',
      '',
      'A message that you sent could not be delivered to one or more of its',
      'recipients. This is a permanent error. The following address(es) failed:',
      '',
      '  erin@example.net',
      '    SMTP error from remote mail server after RCPT TO:<erin@example.net>:',
      '    host mx.example.net [192.0.2.1]: 550 5.2.2 <erin@example.net>: mailbox full',
      '',
      '------ This is a copy of the message, including all the headers. ------',
      '',
      'Message-Id: <m2@postern.example>',
      'From: alice@postern.example',
      'To: erin@example.net',
      'Subject: report',
      '',
      'text',
      '',
    ].join('\n'),
  )
  const b = parseBounce(raw)
  assert.equal(b?.kind, 'non-standard')
  assert.equal(b.originalMessageId, '<m2@postern.example>')
  const r = b.recipients[0]
  assert.deepEqual(
    [r?.recipient, r?.status, r?.replyCode, r?.reason, r?.hard],
    ['erin@example.net', '5.2.2', '550', 'mailboxfull', false],
  )
})

test('an ARF feedback report gives reason feedback with its type', () => {
  const raw = Buffer.from(
    [
      'From: abuse@isp.example',
      'To: postmaster@postern.example',
      'Subject: FW: spam report',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="x"',
      '',
      '--x',
      'Content-Type: text/plain',
      '',
      'This is an email abuse report.',
      '--x',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'User-Agent: SomeGenerator/1.0',
      'Version: 1',
      'Original-Rcpt-To: <frank@isp.example>',
      '--x',
      'Content-Type: message/rfc822',
      '',
      'From: alice@postern.example',
      'Message-ID: <m3@postern.example>',
      '',
      'hi',
      '--x--',
      '',
    ].join('\n'),
  )
  const b = parseBounce(raw)
  assert.equal(b?.kind, 'arf')
  assert.equal(b.originalMessageId, '<m3@postern.example>')
  assert.deepEqual(
    b.recipients.map((r) => [r.recipient, r.reason, r.feedbackType, r.hard]),
    [['frank@isp.example', 'feedback', 'abuse', false]],
  )
})

test('never throws and stays fast on arbitrary and hostile input', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
      const r = parseBounce(Buffer.from(bytes))
      assert.ok(r === undefined || Array.isArray(r.recipients))
    }),
    { numRuns: 300 },
  )
  const hostile = Buffer.from(
    'From: MAILER-DAEMON@x.example\nSubject: Undelivered\n\n' +
      'a'.repeat(200_000) +
      '@'.repeat(100_000) +
      ' <x@y.example>:\n'.repeat(20_000),
  )
  const start = performance.now()
  parseBounce(hostile)
  assert.ok(performance.now() - start < 3000)
})

test('an Amazon SES bounce notification (JSON through SNS) is read', () => {
  const notice = {
    notificationType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      bouncedRecipients: [
        {
          emailAddress: 'gina@example.net',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
    },
    mail: { commonHeaders: { messageId: '<m4@postern.example>' } },
  }
  const raw = Buffer.from(
    'From: no-reply@sns.amazonaws.com\nTo: alice@postern.example\nSubject: AWS Notification Message\n\n' +
      JSON.stringify(notice) +
      '\n--\nIf you wish to stop receiving notifications...\n',
  )
  const b = parseBounce(raw)
  assert.equal(b?.kind, 'non-standard')
  assert.equal(b.originalMessageId, '<m4@postern.example>')
  assert.deepEqual(
    b.recipients.map((r) => [r.recipient, r.status, r.replyCode, r.reason, r.hard]),
    [['gina@example.net', '5.1.1', '550', 'userunknown', true]],
  )
})
