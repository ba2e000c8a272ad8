import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
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
