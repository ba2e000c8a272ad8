import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  causeOfExpiry,
  classifyReason,
  commandFromText,
  isHardBounce,
  replyCodeFromText,
  statusFromText,
} from './reason.ts'

test('reasons from phrases, statuses and actions', () => {
  const cases: [status: string, diagnostic: string, action: string, reason: string][] = [
    ['5.1.1', '550 5.1.1 <a@b.example>: User unknown', 'failed', 'userunknown'],
    ['5.0.0', '550 No such user here', 'failed', 'userunknown'],
    ['4.2.2', '452 4.2.2 Mailbox full', 'delayed', 'mailboxfull'],
    ['5.2.2', '552 Quota exceeded', 'failed', 'mailboxfull'],
    ['5.1.2', '', 'failed', 'hostunknown'],
    ['5.4.4', 'Host or domain name not found', 'failed', 'hostunknown'],
    ['4.4.3', 'Host or domain name not found', 'delayed', 'networkerror'],
    ['5.7.1', '554 5.7.1 Relay access denied', 'failed', 'norelaying'],
    ['5.7.1', '550 5.7.1 Message rejected as spam', 'failed', 'spamdetected'],
    ['5.7.1', '554 Your IP is listed in zen.spamhaus.org', 'failed', 'blocked'],
    ['5.3.4', '552 Message size exceeds fixed maximum message size', 'failed', 'mesgtoobig'],
    ['4.4.7', 'retry timeout exceeded', 'delayed', 'expired'],
    ['4.0.0', '', 'delayed', 'expired'],
    [
      '5.7.26',
      '550 5.7.26 Unauthenticated email is not accepted due to DMARC policy',
      '',
      'authfailure',
    ],
    ['2.1.5', '250 2.1.5 Ok', 'delivered', 'delivered'],
    ['5.0.0', '550 Unknown user x@y.example (in reply to end of DATA command)', '', 'filtered'],
    ['5.1.10', '', 'failed', 'notaccept'],
    ['', 'something odd happened', 'failed', 'onhold'],
    ['', '', '', 'undefined'],
  ]
  for (const [status, diagnostic, action, reason] of cases) {
    assert.equal(classifyReason({ status, diagnostic, action }), reason, diagnostic || status)
  }
})

test('hard bounces are the address-does-not-exist reasons', () => {
  assert.equal(isHardBounce('userunknown', '5.1.1'), true)
  assert.equal(isHardBounce('hostunknown', '5.1.2'), true)
  assert.equal(isHardBounce('hasmoved', '5.1.6'), true)
  assert.equal(isHardBounce('notaccept', '5.1.10'), true)
  assert.equal(isHardBounce('notaccept', '4.3.2'), false)
  assert.equal(isHardBounce('mailboxfull', '5.2.2'), false)
  assert.equal(isHardBounce('vacation', ''), false)
})

test('status and reply codes found in reply text', () => {
  assert.equal(statusFromText('host said: 550 5.1.1 <a@b.example>... User unknown'), '5.1.1')
  assert.equal(statusFromText("5.1.0 - Unknown address error 550-'5.2.2 Mailbox Full'"), '5.2.2')
  assert.equal(statusFromText('Unknown user (#5.1.1)'), '5.1.1')
  assert.equal(statusFromText('IP 192.0.2.1 refused'), '')
  assert.equal(statusFromText('version 5.1.10.3 of the software'), '')
  assert.equal(replyCodeFromText('remote host said: 550 5.1.1 unknown'), '550')
  assert.equal(replyCodeFromText('550-5.7.26 Unauthenticated'), '550')
  assert.equal(replyCodeFromText('port 25000 is closed'), '')
})

test('the SMTP command a reply answered', () => {
  assert.equal(commandFromText('said: 550 nope (in reply to end of DATA command)'), 'DATA')
  assert.equal(commandFromText('SMTP error from remote mail server after RCPT TO:<a@b>'), 'RCPT')
  assert.equal(commandFromText('after MAIL FROM:<a@b> SIZE=1'), 'MAIL')
  assert.equal(commandFromText('SMTP error after initial connection: 554'), 'CONN')
  assert.equal(commandFromText('User unknown'), '')
})

test('how real servers word a filter, a directory block, a refused sender', () => {
  const cases: [status: string, diagnostic: string, reason: string][] = [
    // KDDI's domain filter answers with no address; its unknown users get one.
    ['5.0.0', '550 : User unknown', 'filtered'],
    ['5.0.0', '550: : User unknown', 'filtered'],
    ['5.0.0', '550 <x@ezweb.example>: User unknown (in reply to RCPT TO command)', 'userunknown'],
    ['5.1.1', '550 5.1.1 RCP-P2 Refused due to recipient preferences', 'filtered'],
    // Microsoft 365 directory-based edge blocking.
    ['5.4.1', '550 5.4.1 <x@y.example>: Recipient address rejected: Access denied', 'userunknown'],
    ['5.0.0', "550 'x@y.example' is not a registered gateway user", 'rejected'],
    ['', 'visit the help center at https://groups.google.com/support/', 'rejected'],
    ['5.4.4', "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)", 'notaccept'],
    ['', 'No MX record found for domain=example.org', 'notaccept'],
    ['4.3.0', '451 4.3.0 Error: queue file write error', 'systemerror'],
    ['', "The number of messages in recipient's mailbox exceeded the local limit.", 'mailboxfull'],
    ['', '550-Please turn on SMTP Authentication in your mail client.', 'securityerror'],
    ['5.3.2', '521 5.3.2 <a@b>: System not accepting network messages', 'notaccept'],
    // RFC 7504: 521 host / 556 domain does not accept mail, unless the reply says more.
    ['5.0.0', '521 mx.example.org', 'notaccept'],
    ['', '556 example.org', 'notaccept'],
    ['5.7.1', '521-5.7.1 client [192.0.2.1] blocked using dnsbl.example', 'blocked'],
  ]
  for (const [status, diagnostic, reason] of cases) {
    assert.equal(classifyReason({ status, diagnostic, action: 'failed' }), reason, diagnostic)
  }
})

test('a domain without mail service is a hard bounce unless the failure was temporary', () => {
  assert.equal(isHardBounce('notaccept', ''), true)
  assert.equal(isHardBounce('notaccept', '4.4.4'), false)
})

test('the command a transcript shows before the failure reply', () => {
  const sendmail = '>>> MAIL From:<a@x> <<< 250 ok >>> RCPT To:<b@y> <<< 553 Invalid recipient'
  assert.equal(commandFromText(sendmail), 'RCPT')
  // RFC 2920: the pipelined RCPT is answered first, DATA last ("no valid recipients").
  const pipelined = '>>> DATA <<< 550 5.1.1 <b@y>... User unknown <<< 503 5.0.0 Need RCPT'
  assert.equal(commandFromText(pipelined), 'RCPT')
  assert.equal(commandFromText('>>> DATA <<< 554 5.7.1 Message looks like spam'), 'DATA')
  assert.equal(commandFromText('In: DATA Out: 354 go ahead Out: 451 4.3.0 Error'), 'DATA')
  assert.equal(commandFromText('most progress was RCPT TO response; 550 no'), 'RCPT')
  assert.equal(commandFromText('SMTP:RCPT host 192.0.2.8: 553 5.3.0 no such user'), 'RCPT')
})

test('"user unknown" answering DATA is a filter unless the status names the address', () => {
  const verdict = (status: string, diagnostic: string) =>
    classifyReason({ status, diagnostic, action: 'failed' })
  assert.equal(verdict('5.0.0', '>>> DATA <<< 550 User unknown'), 'filtered')
  assert.equal(verdict('5.1.1', '>>> DATA <<< 550 5.1.1 <b@y>... User unknown'), 'userunknown')
  const yahoo = ">>> DATA <<< 554 delivery error: dd This user doesn't have a yahoo.com account"
  assert.equal(verdict('5.0.0', yahoo), 'userunknown')
})

test('a failure code wins over the success codes quoted before it', () => {
  const transcript = 'Out: 250 2.1.5 Ok In: DATA Out: 354 End data Out: 451 4.3.0 Error'
  assert.equal(statusFromText(transcript), '4.3.0')
  assert.equal(replyCodeFromText(transcript), '451')
  assert.equal(statusFromText('250 2.1.5 Ok'), '2.1.5')
  assert.equal(replyCodeFromText('250 2.1.5 Ok'), '250')
})

test('an expiry takes the status of the last error it quotes', () => {
  const ses = '554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Timed out>'
  assert.equal(causeOfExpiry('4.4.7', ses), '4.4.2')
  assert.equal(causeOfExpiry('4.4.7', '554 4.4.7 Message expired'), '4.4.7')
  assert.equal(causeOfExpiry('5.1.1', '550 5.1.1 unknown; 4.4.2 earlier'), '5.1.1')
})

test('a refusal before any message was sent is about the client, not the content', () => {
  const greeting =
    'SMTP error from remote mail server after initial connection: 550 Blocked for abuse'
  assert.equal(classifyReason({ status: '', diagnostic: greeting, action: 'failed' }), 'blocked')
  const data = 'SMTP error from remote mail server after end of data: 550 Blocked for abuse'
  assert.equal(classifyReason({ status: '', diagnostic: data, action: 'failed' }), 'spamdetected')
})
