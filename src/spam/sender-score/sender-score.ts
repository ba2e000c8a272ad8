// The outbound sender score: protects the domain's reputation from one of its own accounts
// (a compromised password, a bad mailing list). Per account, over a sliding window (hourly
// counters in the store, so they stay bounded), it counts the outcomes of sent mail (delivered
// or bounced, told by the outbound queue) and the messages the pre-flight spam check refused.
//
// - Throttled when the bounce rate is above throttle_bounce_pct over at least min_messages
//   messages, or when more than throttle_refusals messages were refused: MAIL answers 451
//   4.7.1 until the window slides below the limits (or an administrator lifts it).
// - Suspended when, once throttled, the higher suspend_* limits are passed (a throttle comes
//   first, whatever the counts): MAIL answers 550 5.7.1 until an
//   administrator lifts it (`postern sender-score ADDRESS --lift`). Lifting forgets the
//   counts before it, so the account starts again from a clean slate.
// Each change of state is logged with the reason.
import {
  C451LocalError,
  C550MailboxUnavailable,
  Es471DeliveryNotAuthorized,
  Es571DeliveryNotAuthorized,
  SmtpReplyError,
} from '../../smtp/codes.ts'
import type {
  SenderCounts,
  SenderScoreRepo,
  SenderState,
  SenderStatus,
} from '../../store/types-spam-learning.ts'
import { logEvent } from '../../telemetry/events.ts'
import type { Logger } from '../../telemetry/logger.ts'

export interface SenderLimits {
  /** The window the counters cover. */
  windowMs: number
  /** Messages (delivered + bounced) needed before the bounce rate counts. */
  minMessages: number
  throttleBounceRate: number
  suspendBounceRate: number
  throttleRefusals: number
  suspendRefusals: number
}

export interface SenderScoreOptions {
  repo: SenderScoreRepo
  limits: SenderLimits
  logger: Logger
  clock: () => number
}

/** What `postern sender-score` shows for one account. */
export interface SenderReport {
  accountId: number
  state: SenderState
  reason: string
  since: number | null
  counts: SenderCounts
  bounceRate: number | null
}

const HOUR_MS = 3600_000

export class SenderScore {
  readonly #opts: SenderScoreOptions

  constructor(opts: SenderScoreOptions) {
    this.#opts = opts
  }

  /** The queue tells how a message to one recipient ended. */
  async recordOutcome(accountId: number, outcome: 'delivered' | 'bounced'): Promise<void> {
    await this.#count(accountId, outcome)
  }

  /** The outbound pre-flight refused a message of this account. */
  async recordPreflightRefusal(accountId: number): Promise<void> {
    await this.#count(accountId, 'refused')
  }

  /**
   * The MAIL-time check of the submission listener: throws the reply for a throttled (451
   * 4.7.1) or suspended (550 5.7.1) account, returns for one that may send.
   */
  async checkSender(accountId: number): Promise<void> {
    let status = await this.#opts.repo.status(accountId)
    // A throttle ends by itself once the window slides below the limits.
    if (status?.state === 'throttled') status = await this.#evaluate(accountId, false)
    if (status === undefined || status.state === 'ok') return
    if (status.state === 'suspended') {
      throw new SmtpReplyError(
        C550MailboxUnavailable,
        Es571DeliveryNotAuthorized,
        `sending suspended: ${status.reason}; contact your administrator`,
      )
    }
    throw new SmtpReplyError(
      C451LocalError,
      Es471DeliveryNotAuthorized,
      `sending rate limited: ${status.reason}; try again later`,
    )
  }

  async report(accountId: number): Promise<SenderReport> {
    const status = await this.#opts.repo.status(accountId)
    const counts = await this.#opts.repo.counts(accountId, this.#since(status))
    const sent = counts.delivered + counts.bounced
    return {
      accountId,
      state: status?.state ?? 'ok',
      reason: status?.reason ?? '',
      since: status?.since ?? null,
      counts,
      bounceRate: sent === 0 ? null : counts.bounced / sent,
    }
  }

  /** Every account that has (or had) a throttle or suspension. */
  async listRestricted(): Promise<SenderStatus[]> {
    return (await this.#opts.repo.listStatus()).filter((s) => s.state !== 'ok')
  }

  /** An administrator lifts a throttle or suspension; earlier counts are forgotten. */
  async lift(accountId: number, by = 'admin'): Promise<SenderStatus> {
    const now = this.#opts.clock()
    const before = await this.#opts.repo.status(accountId)
    const status: SenderStatus = {
      accountId,
      state: 'ok',
      reason: `lifted by ${by}`,
      since: now,
      liftedAt: now,
    }
    await this.#opts.repo.setStatus(status)
    logEvent(this.#opts.logger, 'spam.sender-lifted', {
      accountId,
      previous: before?.state ?? 'ok',
      by,
    })
    return status
  }

  async #count(accountId: number, outcome: 'delivered' | 'bounced' | 'refused'): Promise<void> {
    const now = this.#opts.clock()
    const bucket = Math.floor(now / HOUR_MS) * HOUR_MS
    const pruneBefore = bucket - this.#opts.limits.windowMs
    await this.#opts.repo.count({ accountId, outcome, bucket, pruneBefore })
    await this.#evaluate(accountId, true)
  }

  /** The counts start at the window's first hour, or when a restriction was last lifted. */
  #since(status: SenderStatus | undefined): number {
    const now = this.#opts.clock()
    const windowStart = Math.floor((now - this.#opts.limits.windowMs) / HOUR_MS + 1) * HOUR_MS
    return Math.max(windowStart, status?.liftedAt ?? 0)
  }

  /**
   * Recomputes the state from the counts; stores and logs a change. Only a new count may
   * escalate (ok to throttled, throttled to suspended); a check may only restore.
   */
  async #evaluate(accountId: number, mayEscalate: boolean): Promise<SenderStatus | undefined> {
    const { repo, clock, logger } = this.#opts
    const status = await repo.status(accountId)
    if (status?.state === 'suspended') return status // only an administrator lifts it
    const counts = await repo.counts(accountId, this.#since(status))
    const verdict = judge(counts, this.#opts.limits)
    const current = status?.state ?? 'ok'
    // Escalation goes through the throttle: the next count over the limits suspends.
    if (verdict.state === 'suspended' && current === 'ok') verdict.state = 'throttled'
    if (!mayEscalate && verdict.state !== 'ok') return status
    if (verdict.state === current) return status
    const next: SenderStatus = {
      accountId,
      state: verdict.state,
      reason: verdict.reason,
      since: clock(),
      liftedAt: status?.liftedAt ?? null,
    }
    await repo.setStatus(next)
    const event =
      verdict.state === 'suspended'
        ? 'spam.sender-suspended'
        : verdict.state === 'throttled'
          ? 'spam.sender-throttled'
          : 'spam.sender-restored'
    logEvent(logger, event, { accountId, reason: verdict.reason, ...counts }, 'warn')
    return next
  }
}

/** The state the counts call for, with the reason in words. */
export function judge(
  counts: SenderCounts,
  limits: SenderLimits,
): { state: SenderState; reason: string } {
  const sent = counts.delivered + counts.bounced
  const rate = sent === 0 ? 0 : counts.bounced / sent
  const hours = Math.round(limits.windowMs / HOUR_MS)
  const bounceReason = (limit: number): string =>
    `bounce rate ${pct(rate)} over ${String(sent)} messages in ${String(hours)} h ` +
    `(limit ${pct(limit)})`
  const refusalReason = (limit: number): string =>
    `${String(counts.refused)} messages refused by the spam pre-flight in ${String(hours)} h ` +
    `(limit ${String(limit)})`
  const bounces = sent >= limits.minMessages
  if (bounces && rate > limits.suspendBounceRate) {
    return { state: 'suspended', reason: bounceReason(limits.suspendBounceRate) }
  }
  if (counts.refused > limits.suspendRefusals) {
    return { state: 'suspended', reason: refusalReason(limits.suspendRefusals) }
  }
  if (bounces && rate > limits.throttleBounceRate) {
    return { state: 'throttled', reason: bounceReason(limits.throttleBounceRate) }
  }
  if (counts.refused > limits.throttleRefusals) {
    return { state: 'throttled', reason: refusalReason(limits.throttleRefusals) }
  }
  return { state: 'ok', reason: 'within limits' }
}

function pct(rate: number): string {
  return `${String(Math.round(rate * 1000) / 10)}%`
}
