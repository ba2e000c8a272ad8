// The outbound queue's scheduler: finds due recipients, groups them by (message, domain) so
// that recipients of one domain share one SMTP transaction (RFC 5321 3.3), asks the throttles,
// and runs a bounded number of deliveries at once through the Transport. It wakes when
// something is queued (wake()), when the next retry is due, and every poll interval.
//
// Invariants:
// - The attempt (count, marker, fallback retry time) is on disk before the transport dials
//   (mox queue.deliver); the outcome is written after. A marker found at start-up is an
//   attempt the process died in: it is retried (at-least-once; a duplicate only when the
//   remote's 250 was lost).
// - A DSN is committed before the recipient's final state, so a crash between the two can
//   duplicate a DSN but never lose one.
// - Throttles answer with a time, never a failure: a throttled recipient stays waiting.
// - Clock and timers are injected: tests run the whole schedule on virtual time.

import type { Store } from '../store/types.ts'
import type { DueGroup, DueRecipient, RecipientUpdate } from '../store/types-outbound.ts'
import type { DeliveryOutcome, RecipientOutcome, Transport } from '../outbound/transport.ts'
import type { Logger } from '../telemetry/logger.ts'
import { logEvent } from '../telemetry/events.ts'
import type { DsnRecipientReport } from '../dsn/compose-dsn.ts'
import { decide, type Decision, type NoticeKind } from './outcome.ts'
import type { RetryPolicy } from './retry-policy.ts'
import type { Permit, Throttle } from './throttle.ts'
import type { DsnSender } from './dsn-sender.ts'
import type { QueueMetrics } from './queue-metrics.ts'

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref()
    return t
  },
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout)
  },
}

export interface QueueRunnerOptions {
  store: Pick<Store, 'queue' | 'suppressions'>
  transport: Transport
  policy: RetryPolicy
  throttle: Throttle
  dsn: DsnSender
  clock: () => number
  timers?: Timers
  logger: Logger
  metrics?: QueueMetrics
  /** Transport deliveries in progress at once. */
  maxConcurrent: number
  /** The longest the runner sleeps without looking for due work. */
  pollIntervalMs: number
  /** Finished messages older than this are purged (0: never). */
  keepFinishedMs?: number
  /** Told the final outcome of each recipient of a submitted message (sender score). */
  onOutcome?: (accountId: number, outcome: 'delivered' | 'bounced') => Promise<void>
}

/** Due rows fetched per free delivery slot (groups may hold several recipients). */
const ROWS_PER_SLOT = 4
/** Rounds of "fetch due, start deliveries" per wake-up (each round fills free slots). */
const MAX_ROUNDS = 100
const PURGE_EVERY_MS = 3_600_000

export class QueueRunner {
  readonly #o: QueueRunnerOptions
  readonly #timers: Timers
  readonly #inFlight = new Set<Promise<void>>()
  /** Recipients already recorded as throttled while they wait (one history row each). */
  readonly #noted = new Set<number>()
  /** Recipients of the deliveries in progress. */
  readonly #busy = new Set<number>()
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new'
  #pumping: Promise<void> | undefined
  #again = false
  #timer: unknown
  #idleWaiters: (() => void)[] = []
  #lastPurge = 0

  constructor(opts: QueueRunnerOptions) {
    this.#o = opts
    this.#timers = opts.timers ?? realTimers
  }

  /** Retries attempts a crash interrupted, then starts looking for due work. */
  async start(): Promise<void> {
    if (this.#state !== 'new') return
    const recovered = await this.#o.store.queue.recoverInterrupted(this.#o.clock())
    this.#state = 'running'
    logEvent(this.#o.logger, 'queue.started', { recovered })
    this.wake()
  }

  /** Something was queued or became due: look for work now. */
  wake(): void {
    if (this.#state !== 'running') return
    if (this.#pumping !== undefined) {
      this.#again = true
      return
    }
    this.#pumping = this.#pump()
      .catch((err: unknown) => {
        logEvent(this.#o.logger, 'queue.error', { err, phase: 'schedule' }, 'error')
      })
      .finally(() => {
        this.#pumping = undefined
        if (this.#again) this.wake()
        else this.#notifyIfIdle()
      })
  }

  /** Resolves when no delivery is running and the runner is waiting for its timer. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /**
   * Stops looking for work; waits up to `graceMs` for deliveries in progress. Those still
   * running are abandoned: their attempt markers stay, so the next start retries them.
   */
  async stop(opts: { graceMs: number }): Promise<void> {
    if (this.#state === 'stopped') return
    this.#state = 'stopping'
    this.#timers.clearTimeout(this.#timer)
    const settled = Promise.allSettled([...this.#inFlight, this.#pumping])
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, opts.graceMs)
    })
    await Promise.race([settled, grace])
    clearTimeout(timer)
    this.#state = 'stopped'
    await this.#o.transport.close().catch(() => undefined)
    this.#notifyIfIdle()
  }

  #isIdle(): boolean {
    return this.#pumping === undefined && this.#inFlight.size === 0 && !this.#again
  }

  #notifyIfIdle(): void {
    if (!this.#isIdle()) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const w of waiters) w()
  }

  /** Read through methods: the state changes across awaits (stop()). */
  #isRunning(): boolean {
    return this.#state === 'running'
  }

  #shouldPumpAgain(): boolean {
    return this.#again && this.#isRunning()
  }

  async #pump(): Promise<void> {
    do {
      this.#again = false
      await this.#fill()
    } while (this.#shouldPumpAgain())
    await this.#purgeIfDue()
    await this.#arm()
  }

  /** Starts deliveries for due groups until the slots are full or nothing more can start. */
  async #fill(): Promise<void> {
    const { store, throttle, clock, maxConcurrent } = this.#o
    for (let round = 0; round < MAX_ROUNDS && this.#state === 'running'; round++) {
      const free = maxConcurrent - this.#inFlight.size
      if (free <= 0) return
      const now = clock()
      const blocked = throttle.blocked(now)
      const groups = await store.queue.due({
        now,
        limit: free * ROWS_PER_SLOT,
        excludeDomains: blocked.domains,
        excludeAccounts: blocked.accounts,
        excludeRecipients: [...this.#busy],
      })
      if (groups.length === 0) return
      let started = 0
      const throttled: { group: DueGroup; retryAt: number; reason: string }[] = []
      for (const group of groups) {
        if (this.#inFlight.size >= maxConcurrent || !this.#isRunning()) break
        const accountId = group.message.submitterAccountId
        const decision = throttle.acquire({
          domain: group.domain,
          now,
          ...(accountId === undefined ? {} : { accountId, messageId: group.message.id }),
        })
        if (decision.kind === 'wait') {
          throttled.push({ group, retryAt: decision.retryAt, reason: decision.reason })
          continue
        }
        this.#launch(group, decision.permit)
        started++
      }
      await this.#recordThrottled(throttled, now)
      if (started === 0) return
    }
  }

  #launch(group: DueGroup, permit: Permit): void {
    for (const r of group.recipients) this.#busy.add(r.id)
    const run = this.#deliver(group)
      .catch((err: unknown) => {
        logEvent(this.#o.logger, 'queue.error', { err, queueId: group.message.id }, 'error')
      })
      .finally(() => {
        this.#o.throttle.release(permit)
        for (const r of group.recipients) this.#busy.delete(r.id)
        this.#inFlight.delete(run)
        this.wake()
        this.#notifyIfIdle()
      })
    this.#inFlight.add(run)
  }

  /**
   * Throttled groups stay waiting; each recipient gets one 'throttled' history row and its
   * next attempt moved to the throttle's time (later ones wait in memory, without writes).
   */
  async #recordThrottled(
    items: { group: DueGroup; retryAt: number; reason: string }[],
    now: number,
  ): Promise<void> {
    const updates: RecipientUpdate[] = []
    for (const { group, retryAt, reason } of items) {
      for (const r of group.recipients) {
        if (this.#noted.has(r.id)) continue
        this.#noted.add(r.id)
        updates.push({
          id: r.id,
          queueId: r.queueId,
          state: r.state,
          nextAttemptAt: Math.max(retryAt, r.nextAttemptAt),
          history: [
            { kind: 'throttled', detail: `${reason}; until ${new Date(retryAt).toISOString()}` },
          ],
        })
      }
      this.#o.metrics?.outcomes.inc({ outcome: 'throttled' }, group.recipients.length)
    }
    if (updates.length === 0) return
    await this.#o.store.queue.update(updates, now)
    const first = items[0]
    if (first !== undefined) {
      logEvent(
        this.#o.logger,
        'queue.throttled',
        {
          domain: first.group.domain,
          recipients: updates.length,
          until: first.retryAt,
          reason: first.reason,
        },
        'debug',
      )
    }
  }

  /** Sleeps until the next due retry, the next throttle change, or the poll interval. */
  async #arm(): Promise<void> {
    if (this.#state !== 'running') return
    const { store, throttle, clock, pollIntervalMs } = this.#o
    const now = clock()
    this.#timers.clearTimeout(this.#timer)
    let wakeAt = now + pollIntervalMs
    if (this.#inFlight.size < this.#o.maxConcurrent) {
      const blocked = throttle.blocked(now)
      const due = await store.queue.nextDueAt({
        excludeDomains: blocked.domains,
        excludeAccounts: blocked.accounts,
      })
      if (due !== undefined) wakeAt = Math.min(wakeAt, due)
      if (blocked.nextChangeAt !== undefined) wakeAt = Math.min(wakeAt, blocked.nextChangeAt)
    }
    if (!this.#isRunning()) return
    this.#timer = this.#timers.setTimeout(
      () => {
        this.wake()
      },
      Math.max(0, wakeAt - now),
    )
  }

  async #purgeIfDue(): Promise<void> {
    const keep = this.#o.keepFinishedMs ?? 0
    const now = this.#o.clock()
    if (keep <= 0 || now - this.#lastPurge < PURGE_EVERY_MS) return
    this.#lastPurge = now
    await this.#o.store.queue.purgeFinished(now - keep)
  }

  /** One transport delivery: suppression, attempt marker, deliver, outcomes, DSNs. */
  async #deliver(group: DueGroup): Promise<void> {
    const { store, clock, policy } = this.#o
    const recipients = await this.#dropSuppressed(group)
    if (recipients.length === 0) return
    for (const r of recipients) this.#noted.delete(r.id)
    const startedAt = clock()
    const fallback =
      startedAt + policy.delayAfter(Math.max(...recipients.map((r) => r.attempts)) + 1)
    const attempt = Math.max(...recipients.map((r) => r.attempts)) + 1
    await store.queue.startAttempt({
      queueId: group.message.id,
      detail: `attempt ${String(attempt)} to ${group.domain}`,
      recipientIds: recipients.map((r) => r.id),
      now: startedAt,
      retryAt: fallback,
    })
    this.#o.metrics?.attempts.inc()
    const body = await store.queue.body(group.message.id)
    const outcome =
      body === undefined
        ? localFailure(recipients, 'the queued message body is missing')
        : await this.#callTransport(group, recipients, body)
    await this.#applyOutcome({ group, recipients, outcome, body: body ?? Buffer.alloc(0) })
  }

  async #callTransport(
    group: DueGroup,
    recipients: DueRecipient[],
    body: Buffer,
  ): Promise<DeliveryOutcome> {
    const m = group.message
    try {
      return await this.#o.transport.deliver({
        domain: group.domain,
        mailFrom: m.mailFrom,
        recipients: recipients.map((r) => ({
          id: r.id,
          address: r.address,
          ...(r.notify === undefined ? {} : { notify: r.notify }),
          ...(r.orcpt === undefined ? {} : { orcpt: r.orcpt }),
        })),
        message: body,
        ...(m.ret === undefined ? {} : { ret: m.ret }),
        ...(m.envid === undefined ? {} : { envid: m.envid }),
        smtputf8: m.smtputf8,
        eightBit: hasEightBit(body),
      })
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      return localFailure(recipients, `transport error: ${reason}`)
    }
  }

  /** Addresses on the suppression list are not tried: suppressed, with a failure DSN. */
  async #dropSuppressed(group: DueGroup): Promise<DueRecipient[]> {
    const keep: DueRecipient[] = []
    const outcomes: RecipientOutcome[] = []
    for (const r of group.recipients) {
      const s = await this.#o.store.suppressions.get(r.address)
      if (s === undefined) keep.push(r)
      else {
        const text = `address is on the suppression list (${s.reason})`
        outcomes.push({
          id: r.id,
          kind: 'permanent',
          reply: { code: 550, enhanced: '5.1.1', text },
        })
      }
    }
    if (outcomes.length > 0) {
      const dropped = group.recipients.filter((r) => !keep.includes(r))
      const body = (await this.#o.store.queue.body(group.message.id)) ?? Buffer.alloc(0)
      await this.#applyOutcome({
        group,
        recipients: dropped,
        outcome: { recipients: outcomes, log: [] },
        body,
        isSuppression: true,
      })
    }
    return keep
  }

  async #applyOutcome(input: {
    group: DueGroup
    recipients: DueRecipient[]
    outcome: DeliveryOutcome
    body: Buffer
    isSuppression?: boolean
  }): Promise<void> {
    const { group, outcome } = input
    const { store, throttle, clock, policy, logger } = this.#o
    const now = clock()
    const byId = new Map(outcome.recipients.map((o) => [o.id, o]))
    let pausedUntil: number | undefined
    if (outcome.slowDown === true) {
      pausedUntil = throttle.slowDown(group.domain, now)
      logEvent(logger, 'queue.slow-down', { domain: group.domain, until: pausedUntil }, 'warn')
    } else pausedUntil = throttle.pausedUntil(group.domain, now)
    const decisions = input.recipients.map((r) => {
      const o = byId.get(r.id) ?? missingOutcome(r.id)
      return decide({
        recipient: r,
        outcome: o,
        mailFrom: group.message.mailFrom,
        queuedAt: group.message.createdAt,
        now,
        policy,
        ...(pausedUntil === undefined ? {} : { pausedUntil }),
      })
    })
    if (decisions.some((d) => d.result === 'delivered')) throttle.recovered(group.domain)
    if (input.isSuppression === true) {
      for (const d of decisions) {
        d.update.state = 'suppressed'
        delete d.suppress // already on the list, with its original reason
        d.update.history = [{ kind: 'suppressed', detail: d.update.lastReply ?? '' }]
      }
    }
    await this.#sendNotices(group, decisions, input.body, now)
    await store.queue.update(
      decisions.map((d) => d.update),
      now,
    )
    await this.#suppress(decisions, now)
    this.#count(decisions, input.isSuppression === true)
    if (input.isSuppression !== true) await this.#tellOutcomes(group, decisions)
    logEvent(logger, 'queue.delivery', {
      queueId: group.message.id,
      domain: group.domain,
      slowDown: outcome.slowDown === true,
      recipients: decisions.map((d) => ({
        id: d.update.id,
        result: d.result,
        reply: d.update.lastReply,
      })),
    })
  }

  /** One DSN per kind (failure, delay, success) covering the group's recipients. */
  async #sendNotices(
    group: DueGroup,
    decisions: Decision[],
    body: Buffer,
    now: number,
  ): Promise<void> {
    const byKind = new Map<NoticeKind, { reports: DsnRecipientReport[]; decisions: Decision[] }>()
    for (const d of decisions) {
      if (d.notice === undefined) continue
      const entry = byKind.get(d.notice.kind) ?? { reports: [], decisions: [] }
      entry.reports.push(d.notice.report)
      entry.decisions.push(d)
      byKind.set(d.notice.kind, entry)
    }
    for (const [kind, entry] of byKind) {
      const sent = await this.#o.dsn.send({
        message: group.message,
        original: body,
        reports: entry.reports,
      })
      for (const d of entry.decisions) {
        d.update.history.push({
          kind: 'dsn-sent',
          detail: `${kind} DSN to <${group.message.mailFrom}>: ${sent}`,
        })
      }
      this.#o.metrics?.dsns.inc({ kind })
      logEvent(this.#o.logger, 'queue.dsn-sent', {
        queueId: group.message.id,
        kind,
        to: group.message.mailFrom,
        result: sent,
        recipients: entry.reports.length,
        at: now,
      })
    }
  }

  async #suppress(decisions: Decision[], now: number): Promise<void> {
    for (const d of decisions) {
      if (d.suppress === undefined) continue
      await this.#o.store.suppressions.add({ ...d.suppress, createdAt: now })
      logEvent(this.#o.logger, 'queue.suppressed', {
        address: d.suppress.address,
        reply: d.suppress.reply,
      })
    }
  }

  async #tellOutcomes(group: DueGroup, decisions: Decision[]): Promise<void> {
    const accountId = group.message.submitterAccountId
    const tell = this.#o.onOutcome
    if (accountId === undefined || tell === undefined) return
    for (const d of decisions) {
      if (d.result === 'deferred') continue
      // Expiry counts as a bounce: the mail never arrived.
      await tell(accountId, d.result === 'delivered' ? 'delivered' : 'bounced').catch(
        (err: unknown) => {
          logEvent(this.#o.logger, 'queue.error', { err, phase: 'sender-score' }, 'warn')
        },
      )
    }
  }

  #count(decisions: Decision[], isSuppression: boolean): void {
    const m = this.#o.metrics
    if (m === undefined) return
    for (const d of decisions) m.outcomes.inc({ outcome: isSuppression ? 'suppressed' : d.result })
  }
}

/** Every recipient failed temporarily for a local reason (no reply from anyone). */
function localFailure(recipients: DueRecipient[], text: string): DeliveryOutcome {
  return {
    recipients: recipients.map((r) => ({
      id: r.id,
      kind: 'temporary',
      reply: { code: 451, enhanced: '4.3.0', text },
    })),
    log: [text],
  }
}

/** The transport said nothing about a recipient: try again later. */
function missingOutcome(id: number): RecipientOutcome {
  return {
    id,
    kind: 'temporary',
    reply: { code: 451, enhanced: '4.3.0', text: 'no outcome reported for this recipient' },
  }
}

/** RFC 6152: the body needs 8BITMIME when any byte has the high bit set. */
function hasEightBit(body: Buffer): boolean {
  return /[\x80-\xff]/.test(body.toString('latin1'))
}
