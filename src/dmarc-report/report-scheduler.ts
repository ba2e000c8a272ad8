// Runs the daily DMARC aggregate reports (RFC 7489 7.2: one report per domain and period; the
// period here is the UTC day): at `hourUtc` every day, sends the previous day's reports and
// forgets evaluations older than the retention. A start after that hour runs once shortly after
// start (catching up a day missed while stopped; reports already sent are not repeated).
import type { ReportSender } from './report-sender.ts'
import { DAY_MS, previousUtcDay } from './report-sender.ts'
import type { Logger } from '../telemetry/logger.ts'

export interface ReportSchedulerOptions {
  sender: Pick<ReportSender, 'sendDay'>
  prune: (before: number) => Promise<number>
  clock: () => number
  /** Hour of the UTC day (0-23) at which the previous day is reported. */
  hourUtc: number
  /** Evaluations are kept this many days. */
  retentionDays: number
  /** Delay of the catch-up run after a start past the hour. */
  catchUpDelayMs?: number
  logger?: Logger
  timers?: {
    setTimeout: (fn: () => void, ms: number) => NodeJS.Timeout
    clearTimeout: (t: NodeJS.Timeout) => void
  }
}

/** The next run time strictly after `now` at `hourUtc`. */
export function nextRunAt(now: number, hourUtc: number): number {
  const today = Math.floor(now / DAY_MS) * DAY_MS + hourUtc * 3_600_000
  return today > now ? today : today + DAY_MS
}

export class ReportScheduler {
  readonly #opts: ReportSchedulerOptions
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = false

  constructor(opts: ReportSchedulerOptions) {
    this.#opts = opts
  }

  start(): void {
    const now = this.#opts.clock()
    const todaysRun = Math.floor(now / DAY_MS) * DAY_MS + this.#opts.hourUtc * 3_600_000
    this.#schedule(now >= todaysRun ? (this.#opts.catchUpDelayMs ?? 60_000) : todaysRun - now)
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer !== undefined) (this.#opts.timers ?? globalThis).clearTimeout(this.#timer)
    await this.#running
  }

  /** One run now: the previous UTC day's reports, then pruning. */
  async runOnce(): Promise<void> {
    const now = this.#opts.clock()
    await this.#opts.sender.sendDay(previousUtcDay(now))
    await this.#opts.prune(now - this.#opts.retentionDays * DAY_MS)
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return
    const timers = this.#opts.timers ?? globalThis
    this.#timer = timers.setTimeout(() => {
      this.#running = this.runOnce()
        .catch((err: unknown) => {
          this.#opts.logger?.error({ event: 'dmarc.report-run-failed', err })
        })
        .finally(() => {
          this.#running = undefined
          const now = this.#opts.clock()
          this.#schedule(nextRunAt(now, this.#opts.hourUtc) - now)
        })
    }, delayMs)
    this.#timer.unref()
  }
}
