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

test('a report that lists its failures twice keeps each reason with its recipient', () => {
  const failures = [
    '  ivan@example.net',
    '    SMTP error from remote mail server after RCPT TO:<ivan@example.net>:',
    '    host mx.example.net [192.0.2.1]: 550 5.2.2 <ivan@example.net>... Mailbox Full',
    '  judy@example.net',
    '    SMTP error from remote mail server after RCPT TO:<judy@example.net>:',
    '    host mx.example.net [192.0.2.1]: 550 5.1.1 <judy@example.net>... User Unknown',
  ]
  const raw = Buffer.from(
    [
      'From: Mail Delivery System <Mailer-Daemon@relay.example>',
      'To: alice@postern.example',
      'Subject: Mail delivery failed',
      'X-Failed-Recipients: ivan@example.net, judy@example.net',
      '',
      "Votre message n'a pas pu être remis :",
      '',
      ...failures,
      '',
      'A message that you sent could not be delivered to one or more of its recipients.',
      '',
      ...failures,
      '',
    ].join('\n'),
  )
  assert.deepEqual(
    parseBounce(raw)?.recipients.map((r) => [r.recipient, r.reason, r.hard]),
    [
      ['ivan@example.net', 'mailboxfull', false],
      ['judy@example.net', 'userunknown', true],
    ],
  )
})

test('DSN fields quoted in a quoted-printable text part are read decoded', () => {
  const raw = Buffer.from(
    [
      'From: MAILER-DAEMON@relay.example',
      'To: alice@postern.example',
      'Subject: Delivery Status Notification (Failure)',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="q"',
      '',
      '--q',
      'Content-Type: text/plain; charset=iso-8859-15',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Technical report:',
      '',
      'Reporting-MTA: dsn; relay.example',
      '',
      'Action: failed',
      'Final-Recipient:=',
      ' rfc822; kim@example.net',
      'Diagnostic-Code: smtp; 554 4.4.7 Message expi=',
      'red: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>',
      'S=',
      'tatus: 4.4.7',
      '',
      '--q--',
      '',
    ].join('\n'),
  )
  const b = parseBounce(raw)
  assert.equal(b?.kind, 'dsn')
  assert.deepEqual(
    b.recipients.map((r) => [r.recipient, r.status, r.reason]),
    [['kim@example.net', '4.4.2', 'expired']],
  )
})

test('a notice sent with a null reverse-path that quotes a failure is a bounce', () => {
  const raw = Buffer.from(
    [
      'Return-Path: <>',
      'From: no-reply@mail.example.jp',
      'To: alice@postern.example',
      'Subject: Mail',
      '',
      'Your mail sent on: Thu, 29 Apr 2013 00:00:00 +0900',
      '     Could not be delivered to: <leo@example.jp>',
      '     As their mailbox is full.',
      '',
    ].join('\n'),
  )
  assert.deepEqual(
    parseBounce(raw)?.recipients.map((r) => [r.recipient, r.reason]),
    [['leo@example.jp', 'mailboxfull']],
  )
})

test('a bounce of mail sent to oneself names the sender as the recipient', () => {
  const raw = Buffer.from(
    [
      'From: MAILER-DAEMON@example.ad.jp',
      'To: mallory@example.ad.jp',
      'Subject: failure notice',
      '',
      'Hi. This is the qmail-send program at example.ad.jp.',
      "I'm afraid I wasn't able to deliver your message to the following addresses.",
      '',
      '<mallory@example.ad.jp>:',
      '192.0.2.1 does not like recipient.',
      'Remote host said: 552 Error: disk quota exceeded',
      '',
    ].join('\n'),
  )
  assert.deepEqual(
    parseBounce(raw)?.recipients.map((r) => [r.recipient, r.replyCode, r.reason]),
    [['mallory@example.ad.jp', '552', 'mailboxfull']],
  )
})

test('Sendmail error lines "<addr>... reason" name each recipient with its reply', () => {
  const raw = Buffer.from(
    [
      'From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example>',
      'To: alice@postern.example',
      'Subject: Returned mail: User unknown',
      '',
      '   ----- Transcript of session follows -----',
      '554 <nia@example.org>... 550 Host unknown (Authoritative answer from name server)',
      'While talking to mail.example.net:',
      '>>> RCPT To:<olaf@example.net>',
      '<<< 553 5.3.0 <olaf@example.net>... No such user here',
      '',
    ].join('\n'),
  )
  assert.deepEqual(
    parseBounce(raw)?.recipients.map((r) => [r.recipient, r.status, r.replyCode, r.reason]),
    [
      ['nia@example.org', '', '550', 'hostunknown'], // the remote's reply, not Sendmail's 554
      ['olaf@example.net', '5.3.0', '553', 'userunknown'],
    ],
  )
})

test('a DSN whose transcript shows the reply answered RCPT TO is about the address', () => {
  const raw = dsn({ status: '5.7.1', diagnostic: '553 Invalid recipient bob@remote.example' })
  const withTranscript = Buffer.from(
    raw
      .toString('latin1')
      .replace(
        'Your message could not be delivered to bob@remote.example.',
        '<bob@remote.example>\r\n\r\n   ----- Transcript of session follows -----\r\n' +
          '>>> RCPT TO:<bob@remote.example>\r\n<<< 553 Invalid recipient bob@remote.example',
      ),
    'latin1',
  )
  assert.equal(parseBounce(raw)?.recipients[0]?.reason, 'filtered')
  const r = parseBounce(withTranscript)?.recipients[0]
  assert.deepEqual([r?.reason, r?.hard], ['userunknown', true])
})

test('transcripts and repeated addresses stay bounded on hostile input', () => {
  const hostile = Buffer.from(
    'From: MAILER-DAEMON@x.example\nSubject: Undelivered\nX-Failed-Recipients: a@b.example\n\n' +
      '>>> DATA <<< 550 '.repeat(20_000) +
      '\n' +
      'a@b.example '.repeat(30_000) +
      '\n' +
      `${'('.repeat(50_000)}x <a@b.example>... no\n`.repeat(20),
  )
  const start = performance.now()
  const b = parseBounce(hostile)
  assert.equal(b?.recipients[0]?.recipient, 'a@b.example')
  assert.ok(performance.now() - start < 3000)
})

test('the text of a one-recipient DSN without a diagnostic says why', () => {
  const report = (status: string) =>
    Buffer.from(
      [
        'From: Mail Delivery System <Mailer-Daemon@relay.example>',
        'To: alice@postern.example',
        'Subject: Mail delivery failed',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="e"',
        '',
        '--e',
        'Content-Type: text/plain',
        '',
        'The following address(es) failed:',
        '',
        '  save to /var/mail/pat',
        '    mailbox is full: retry timeout exceeded',
        '',
        '--e',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; relay.example',
        '',
        'Action: failed',
        'Final-Recipient: rfc822;/var/mail/pat',
        `Status: ${status}`,
        '',
        '--e--',
        '',
      ].join('\n'),
    )
  assert.equal(parseBounce(report('5.0.0'))?.recipients[0]?.reason, 'mailboxfull')
  // A status that names a cause (X.1.1) is not overridden by the prose.
  assert.equal(parseBounce(report('5.1.1'))?.recipients[0]?.reason, 'userunknown')
})

test('an auto-reply sent with a null reverse-path stays an auto-reply', () => {
  const raw = Buffer.from(
    [
      'Return-Path: <>',
      'From: Quinn <quinn@example.org>',
      'To: alice@postern.example',
      'Subject: Away',
      'Auto-Submitted: auto-replied',
      '',
      'I am away until 4.12.26; mail to desk@example.org could not be delivered to me.',
      '',
    ].join('\n'),
  )
  const b = parseBounce(raw)
  assert.equal(b?.kind, 'auto-reply')
  assert.equal(b.recipients[0]?.reason, 'vacation')
})
