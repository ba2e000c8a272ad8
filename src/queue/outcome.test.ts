import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { DueRecipient } from '../store/types-outbound.ts'
import { decide, isNoticeWanted, isUserUnknown, statusOf } from './outcome.ts'
import { RetryPolicy } from './retry-policy.ts'

const HOUR = 3_600_000
const policy = new RetryPolicy({
  scheduleMs: [300_000, 600_000],
  maxAgeMs: 120 * HOUR,
  delayNoticeAfterMs: 4 * HOUR,
})

const rcpt = (over: Partial<DueRecipient> = {}): DueRecipient => ({
  id: 1,
  queueId: 9,
  address: 'bob@b.test',
  domain: 'b.test',
  state: 'scheduled',
  attempts: 0,
  nextAttemptAt: 0,
  delayNotified: false,
  ...over,
})

const base = { mailFrom: 'alice@a.test', queuedAt: 0, now: 1000, policy }

test('NOTIFY: absent = FAILURE,DELAY; NEVER = none; the null sender gets nothing', () => {
  const want = (
    notify: Parameters<typeof isNoticeWanted>[0]['notify'],
    kind: 'failure' | 'delay' | 'success',
    mailFrom = 'a@a.test',
  ) => isNoticeWanted({ notify, kind, mailFrom })
  assert.deepEqual(
    [want(undefined, 'failure'), want(undefined, 'delay'), want(undefined, 'success')],
    [true, true, false],
  )
  assert.deepEqual(
    [want(['NEVER'], 'failure'), want(['SUCCESS'], 'success'), want(['SUCCESS'], 'failure')],
    [false, true, false],
  )
  assert.equal(want(undefined, 'failure', ''), false)
})

test('user-unknown detection and status of a reply', () => {
  assert.equal(isUserUnknown({ code: 550, enhanced: '5.1.1', text: 'nope' }), true)
  assert.equal(isUserUnknown({ code: 556, enhanced: '5.1.10', text: 'null MX' }), true)
  assert.equal(isUserUnknown({ code: 550, text: 'User unknown in virtual table' }), true)
  assert.equal(isUserUnknown({ code: 550, enhanced: '5.7.1', text: 'spam' }), false)
  assert.equal(isUserUnknown({ code: 450, enhanced: '4.1.1', text: 'no such user' }), false)
  assert.equal(statusOf({ code: 451, text: 'later' }), '4.0.0')
  assert.equal(statusOf({ code: 550, enhanced: '5.2.2', text: 'full' }), '5.2.2')
})

test('delivered: state and history; NOTIFY=SUCCESS gives a relayed report', () => {
  const reply = { code: 250, enhanced: '2.0.0', text: 'ok' }
  const d = decide({
    ...base,
    recipient: rcpt(),
    outcome: { id: 1, kind: 'delivered', reply, remoteHost: 'mx.b.test [127.0.0.2]' },
  })
  assert.equal(d.update.state, 'delivered')
  assert.equal(d.update.remoteHost, 'mx.b.test [127.0.0.2]')
  assert.equal(d.notice, undefined)
  const s = decide({
    ...base,
    recipient: rcpt({ notify: ['SUCCESS'] }),
    outcome: { id: 1, kind: 'delivered', reply },
  })
  assert.equal(s.notice?.report.action, 'relayed')
})

test('permanent 5.1.1: bounced, failure DSN with ORCPT, suppressed', () => {
  const d = decide({
    ...base,
    recipient: rcpt({ orcpt: 'rfc822;Bob@b.test' }),
    outcome: {
      id: 1,
      kind: 'permanent',
      reply: { code: 550, enhanced: '5.1.1', text: 'no such user' },
      remoteHost: 'mx.b.test [127.0.0.2]',
    },
  })
  assert.equal(d.result, 'bounced')
  assert.equal(d.notice?.kind, 'failure')
  assert.equal(d.notice.report.originalRecipient, 'rfc822;Bob@b.test')
  assert.equal(d.notice.report.remoteMta, 'mx.b.test')
  assert.equal(d.notice.report.diagnostic, '550 5.1.1 no such user')
  assert.equal(d.suppress?.address, 'bob@b.test')
  assert.deepEqual(
    d.update.history.map((h) => h.kind),
    ['bounced', 'suppressed'],
  )
})

test('temporary: deferred on the schedule, a delay notice once after 4 h, expired at the end', () => {
  const reply = { code: 451, enhanced: '4.3.0', text: 'later' }
  const d1 = decide({ ...base, recipient: rcpt(), outcome: { id: 1, kind: 'temporary', reply } })
  assert.equal(d1.update.state, 'deferred')
  assert.equal(d1.update.nextAttemptAt, 1000 + 300_000)
  assert.equal(d1.notice, undefined)
  const late = decide({
    ...base,
    now: 5 * HOUR,
    recipient: rcpt({ attempts: 3 }),
    outcome: { id: 1, kind: 'temporary', reply },
  })
  assert.equal(late.notice?.kind, 'delay')
  assert.equal(late.notice.report.status, '4.3.0')
  assert.equal(late.notice.report.willRetryUntil, 120 * HOUR)
  assert.equal(late.update.delayNotified, true)
  const again = decide({
    ...base,
    now: 6 * HOUR,
    recipient: rcpt({ attempts: 4, delayNotified: true }),
    outcome: { id: 1, kind: 'temporary', reply },
  })
  assert.equal(again.notice, undefined)
  const paused = decide({
    ...base,
    pausedUntil: 9_000_000,
    recipient: rcpt(),
    outcome: { id: 1, kind: 'temporary', reply },
  })
  assert.equal(paused.update.nextAttemptAt, 9_000_000)
  const end = decide({
    ...base,
    now: 120 * HOUR,
    recipient: rcpt({ attempts: 99 }),
    outcome: { id: 1, kind: 'temporary', reply },
  })
  assert.equal(end.result, 'expired')
  assert.equal(end.notice?.report.status, '5.4.7')
  assert.equal(end.notice.report.action, 'failed')
})
