// The outbound queue's retry schedule (STYLE.md: one table, in one place): how long to wait
// after each failed attempt, when a recipient has waited long enough for a delay notice, and
// when to give up. Default 5 min, 10 min, 20 min, 40 min, then hourly; expire after 5 days;
// delay notice after 4 hours (the sending issue; RFC 5321 4.5.4.1 asks for at least 30 min
// between retries to one destination and 4-5 days before giving up).

export interface RetryPolicyOptions {
  /** Delays after attempt 1, 2, ... in ms; the last one repeats. */
  scheduleMs: readonly number[]
  /** Age (from queueing) after which a recipient still failing expires. */
  maxAgeMs: number
  /** Age after which one delay DSN goes to the sender; 0 = never. */
  delayNoticeAfterMs: number
}

export class RetryPolicy {
  readonly #schedule: readonly number[]
  readonly maxAgeMs: number
  readonly delayNoticeAfterMs: number

  constructor(opts: RetryPolicyOptions) {
    if (opts.scheduleMs.length === 0) throw new Error('the retry schedule needs a delay')
    this.#schedule = opts.scheduleMs
    this.maxAgeMs = opts.maxAgeMs
    this.delayNoticeAfterMs = opts.delayNoticeAfterMs
  }

  static fromConfig(c: {
    retry_schedule_s: readonly number[]
    max_age_s: number
    delay_notice_after_s: number
  }): RetryPolicy {
    return new RetryPolicy({
      scheduleMs: c.retry_schedule_s.map((s) => s * 1000),
      maxAgeMs: c.max_age_s * 1000,
      delayNoticeAfterMs: c.delay_notice_after_s * 1000,
    })
  }

  /** The wait after the `attempts`-th attempt failed (attempts ≥ 1). */
  delayAfter(attempts: number): number {
    const i = Math.min(Math.max(attempts, 1), this.#schedule.length) - 1
    return this.#schedule[i] ?? this.#schedule[this.#schedule.length - 1] ?? 0
  }

  /** When to try again after a failed attempt, or undefined when it is time to give up. */
  nextAttemptAt(opts: { attempts: number; queuedAt: number; now: number }): number | undefined {
    const expiresAt = opts.queuedAt + this.maxAgeMs
    if (opts.now >= expiresAt) return undefined
    // The last try happens at the expiry time rather than past it.
    return Math.min(opts.now + this.delayAfter(opts.attempts), expiresAt)
  }

  /** True when a still-waiting recipient queued at `queuedAt` is due its delay notice. */
  isDelayNoticeDue(opts: { queuedAt: number; now: number }): boolean {
    return this.delayNoticeAfterMs > 0 && opts.now - opts.queuedAt >= this.delayNoticeAfterMs
  }
}
