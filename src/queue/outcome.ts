// What the queue does with one recipient's delivery outcome (pure): the new state and history,
// the DSN to send (RFC 3461 NOTIFY semantics, RFC 3464 fields) and whether the address goes on
// the suppression list. Outcomes: delivered → delivered; permanent → bounced; temporary →
// deferred on the retry schedule, or expired once the queue's maximum age is reached.

import type { DsnRecipientReport } from '../dsn/compose-dsn.ts'
import type { RecipientOutcome, RemoteReply } from '../outbound/transport.ts'
import type { DsnNotify, DueRecipient, RecipientUpdate } from '../store/types-outbound.ts'
import type { RetryPolicy } from './retry-policy.ts'

export type NoticeKind = 'failure' | 'delay' | 'success'

export interface Decision {
  update: RecipientUpdate
  /** A DSN report line for this recipient, when the sender asked for (or defaults to) one. */
  notice?: { kind: NoticeKind; report: DsnRecipientReport }
  /** The address answered "no such user": put it on the suppression list. */
  suppress?: { address: string; reason: string; reply: string }
  result: 'delivered' | 'deferred' | 'bounced' | 'expired'
}

/**
 * RFC 3461 4.1: NOTIFY absent means FAILURE,DELAY (the MTA's choice; this is what Postfix and
 * most MTAs do); NEVER means none; else exactly the listed conditions. The null sender never
 * gets one (RFC 3461 6.2: never a DSN about a DSN).
 */
export function isNoticeWanted(opts: {
  notify: readonly DsnNotify[] | undefined
  kind: NoticeKind
  mailFrom: string
}): boolean {
  if (opts.mailFrom === '') return false
  const want = { failure: 'FAILURE', delay: 'DELAY', success: 'SUCCESS' } as const
  if (opts.notify === undefined) return opts.kind !== 'success'
  return opts.notify.includes(want[opts.kind])
}

export function formatReply(reply: RemoteReply): string {
  const enhanced = reply.enhanced === undefined ? '' : `${reply.enhanced} `
  return `${reply.code} ${enhanced}${reply.text}`.replace(/[\r\n]+/g, ' ').trim()
}

/** RFC 3463 status of a reply: its enhanced code, else the class of its basic code. */
export function statusOf(reply: RemoteReply): string {
  if (reply.enhanced !== undefined && /^[245]\.\d{1,3}\.\d{1,3}$/.test(reply.enhanced)) {
    return reply.enhanced
  }
  return `${String(Math.floor(reply.code / 100))}.0.0`
}

const NO_SUCH_USER =
  /no such (user|mailbox|recipient)|user unknown|unknown (user|recipient|mailbox)|does not exist|doesn't exist|invalid recipient|recipient (address )?rejected|mailbox unavailable|not found/i

/** A permanent failure that says the mailbox does not exist (RFC 3463 X.1.1, X.1.10...). */
export function isUserUnknown(reply: RemoteReply): boolean {
  if (reply.code < 500) return false
  const e = reply.enhanced
  if (e === '5.1.1' || e === '5.1.10') return true
  if (e !== undefined && e.startsWith('5.1.')) return NO_SUCH_USER.test(reply.text)
  return e === undefined && reply.code === 550 && NO_SUCH_USER.test(reply.text)
}

/** "mx.example.com [192.0.2.1]" → "mx.example.com". */
function remoteMtaName(host: string | undefined): string | undefined {
  return host?.trim().split(/\s+/)[0]
}

function report(
  r: DueRecipient,
  fields: Omit<DsnRecipientReport, 'finalRecipient' | 'originalRecipient'>,
): DsnRecipientReport {
  const out: DsnRecipientReport = { finalRecipient: r.address, ...fields }
  if (r.orcpt !== undefined) out.originalRecipient = r.orcpt
  return out
}

export interface DecideInput {
  recipient: DueRecipient
  outcome: RecipientOutcome
  /** The message's envelope sender and queueing time. */
  mailFrom: string
  queuedAt: number
  now: number
  policy: RetryPolicy
  /** The domain is paused until then (slow-down back-off): no retry before. */
  pausedUntil?: number
}

export function decide(input: DecideInput): Decision {
  const { recipient: r, outcome, now } = input
  const reply = formatReply(outcome.reply)
  const base = { id: r.id, queueId: r.queueId, lastReply: reply, nextAttemptAt: now }
  const host = outcome.remoteHost
  const hist = (kind: RecipientUpdate['history'][number]['kind']) =>
    host === undefined ? { kind, detail: reply } : { kind, detail: reply, remoteHost: host }
  const withHost = host === undefined ? base : { ...base, remoteHost: host }
  const remoteMta = remoteMtaName(host)
  const common = {
    status: statusOf(outcome.reply),
    diagnostic: reply,
    lastAttemptAt: now,
    ...(remoteMta === undefined ? {} : { remoteMta }),
  }
  const wants = (kind: NoticeKind): boolean =>
    isNoticeWanted({ notify: r.notify, kind, mailFrom: input.mailFrom })
  if (outcome.kind === 'delivered') {
    const d: Decision = {
      result: 'delivered',
      update: { ...withHost, state: 'delivered', history: [hist('delivered')] },
    }
    // RFC 3461 6.2.3.3: "relayed" when the report cannot be passed on to the next hop.
    if (wants('success'))
      d.notice = { kind: 'success', report: report(r, { ...common, action: 'relayed' }) }
    return d
  }
  if (outcome.kind === 'permanent') {
    const d: Decision = {
      result: 'bounced',
      update: { ...withHost, state: 'bounced', history: [hist('bounced')] },
    }
    if (wants('failure'))
      d.notice = { kind: 'failure', report: report(r, { ...common, action: 'failed' }) }
    if (isUserUnknown(outcome.reply)) {
      d.suppress = { address: r.address, reason: 'no such user', reply }
      d.update.history.push({ kind: 'suppressed', detail: 'address added to the suppression list' })
    }
    return d
  }
  const attempts = r.attempts + 1
  const next = input.policy.nextAttemptAt({ attempts, queuedAt: input.queuedAt, now })
  if (next === undefined) {
    const d: Decision = {
      result: 'expired',
      update: { ...withHost, state: 'expired', history: [hist('expired')] },
    }
    // RFC 3463 X.4.7: delivery time expired; a failed report carries a 5.x.x status.
    const expired = { ...common, action: 'failed' as const, status: '5.4.7' }
    if (wants('failure')) d.notice = { kind: 'failure', report: report(r, expired) }
    return d
  }
  const nextAttemptAt = Math.max(next, input.pausedUntil ?? 0)
  const d: Decision = {
    result: 'deferred',
    update: { ...withHost, nextAttemptAt, state: 'deferred', history: [hist('deferred')] },
  }
  if (
    !r.delayNotified &&
    input.policy.isDelayNoticeDue({ queuedAt: input.queuedAt, now }) &&
    wants('delay')
  ) {
    const willRetryUntil = input.queuedAt + input.policy.maxAgeMs
    d.notice = {
      kind: 'delay',
      report: report(r, { ...common, action: 'delayed', willRetryUntil }),
    }
    d.update.delayNotified = true
    d.update.history.push({ kind: 'delay-notified' })
  }
  return d
}
