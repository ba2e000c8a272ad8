// Test kit for the outbound queue: a fresh SQLite store with a local domain and accounts, the
// queue service on virtual time (an injected clock and timers that the test advances), a
// scriptable in-memory Transport that records every delivery with its virtual time, and a
// driver that runs the queue until a condition holds, jumping the clock timer to timer.
//
//   const kit = await startQueueKit({ accounts: ['alice@a.test'], transport })
//   await kit.enqueue({ from: 'alice@a.test', to: ['bob@b.test'] })
//   await kit.runUntil(() => transport.calls.length === 2)
//   kit.time.now                         // virtual epoch ms
//   await kit.close()

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { queueSchema, type QueueConfig } from '../../src/config/schema.ts'
import { Router } from '../../src/delivery/router.ts'
import type { DeliveryOutcome, DeliveryRequest, Transport } from '../../src/outbound/transport.ts'
import { createQueueService, type QueueService } from '../../src/queue/queue-service.ts'
import type { Timers } from '../../src/queue/scheduler.ts'
import { openStore } from '../../src/store/open-store.ts'
import type { DsnRecipient, Store } from '../../src/store/types.ts'
import { createLogger } from '../../src/telemetry/logger.ts'
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.ts'

/** Timers on a virtual clock: nothing fires until the test advances the time. */
export class VirtualTime implements Timers {
  now: number
  #seq = 0
  readonly #timers = new Map<number, { at: number; fn: () => void }>()

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.now = start
  }

  readonly clock = (): number => this.now

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#seq
    this.#timers.set(id, { at: this.now + Math.max(0, ms), fn })
    return id
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#timers.delete(handle)
  }

  nextAt(): number | undefined {
    let next: number | undefined
    for (const t of this.#timers.values()) if (next === undefined || t.at < next) next = t.at
    return next
  }

  /** Moves the clock to the earliest timer (never backwards) and fires every timer due. */
  advance(): boolean {
    const at = this.nextAt()
    if (at === undefined) return false
    this.now = Math.max(this.now, at)
    for (const [id, t] of [...this.#timers]) {
      if (t.at <= this.now) {
        this.#timers.delete(id)
        t.fn()
      }
    }
    return true
  }
}

export type ScriptedOutcome = (req: DeliveryRequest, call: number) => DeliveryOutcome

/** A Transport whose answers come from a function; records each request and its time. */
export class FakeTransport implements Transport {
  readonly calls: { at: number; request: DeliveryRequest }[] = []
  script: ScriptedOutcome
  readonly #clock: () => number
  closed = false
  /** Called after the script answered a request. */
  onCall: ((request: DeliveryRequest) => void) | undefined

  constructor(clock: () => number, script: ScriptedOutcome = acceptAll) {
    this.#clock = clock
    this.script = script
  }

  deliver(request: DeliveryRequest): Promise<DeliveryOutcome> {
    this.calls.push({ at: this.#clock(), request })
    const outcome = this.script(request, this.calls.length)
    this.onCall?.(request)
    return Promise.resolve(outcome)
  }

  close(): Promise<void> {
    this.closed = true
    return Promise.resolve()
  }
}

/** Every recipient gets `reply` (default 250). */
export function answerAll(
  kind: 'delivered' | 'temporary' | 'permanent',
  code: number,
  enhanced: string,
  text: string,
  extra: Partial<DeliveryOutcome> = {},
): ScriptedOutcome {
  return (req) => ({
    recipients: req.recipients.map((r) => ({
      id: r.id,
      kind,
      reply: { code, enhanced, text },
      remoteHost: `mx.${req.domain} [127.0.0.2]`,
    })),
    log: [],
    ...extra,
  })
}

export const acceptAll: ScriptedOutcome = answerAll('delivered', 250, '2.0.0', 'ok')

export interface QueueKitOptions {
  accounts?: string[]
  /** Overrides of the queue config section. */
  config?: Partial<QueueConfig>
  script?: ScriptedOutcome
  hostname?: string
  onOutcome?: (accountId: number, outcome: 'delivered' | 'bounced') => Promise<void>
}

export interface QueueKit {
  store: Store
  time: VirtualTime
  transport: FakeTransport
  queue: QueueService
  metrics: Metrics
  enqueue(opts: {
    from: string
    to: string[]
    dsn?: DsnRecipient
    envid?: string
    ret?: 'FULL' | 'HDRS'
    submitter?: number
    body?: string
  }): Promise<number>
  /** Runs timers on virtual time until `done()` or nothing is left to do (bounded). */
  runUntil(done: () => boolean, maxSteps?: number): Promise<boolean>
  close(): Promise<void>
}

export async function startQueueKit(opts: QueueKitOptions = {}): Promise<QueueKit> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-queue-'))
  const time = new VirtualTime()
  const store = openStore({ path: join(dir, 'queue.db'), clock: time.clock })
  const accounts = opts.accounts ?? ['alice@a.test']
  for (const d of new Set(accounts.map((a) => a.slice(a.indexOf('@') + 1)))) {
    await store.domains.add(d)
  }
  for (const a of accounts) await store.accounts.add({ address: a, passwordHash: 'x' })
  const transport = new FakeTransport(time.clock, opts.script)
  const metrics = createMetrics()
  const queue = createQueueService({
    config: { ...queueSchema.parse({}), ...opts.config },
    hostname: opts.hostname ?? 'mx.a.test',
    store,
    router: new Router({ store, plusSeparator: '+' }),
    transport,
    clock: time.clock,
    timers: time,
    logger: createLogger({ level: 'silent' }),
    metrics,
    ...(opts.onOutcome === undefined ? {} : { onOutcome: opts.onOutcome }),
  })
  await queue.start()
  let seq = 0
  return {
    store,
    time,
    transport,
    queue,
    metrics,
    async enqueue(m) {
      seq++
      const raw = Buffer.from(
        `From: <${m.from}>\r\nTo: ${m.to.map((t) => `<${t}>`).join(', ')}\r\n` +
          `Subject: test ${seq}\r\nMessage-ID: <kit-${seq}@a.test>\r\n\r\n${m.body ?? `body ${seq}`}\r\n`,
      )
      const dsn = {
        ...(m.envid === undefined ? {} : { envid: m.envid }),
        ...(m.ret === undefined ? {} : { ret: m.ret }),
      }
      const r = await store.accept({
        raw,
        receivedAt: time.now,
        mailFrom: m.from,
        dsn,
        local: [],
        remote: m.to.map((address) =>
          m.dsn === undefined ? { address } : { address, dsn: m.dsn },
        ),
        ...(m.submitter === undefined ? {} : { submitter: { accountId: m.submitter } }),
      })
      queue.wake()
      return r.queuedId ?? 0
    },
    async runUntil(done, maxSteps = 100_000) {
      for (let i = 0; i < maxSteps; i++) {
        await queue.runner.idle()
        if (done()) return true
        if (!time.advance()) {
          await queue.runner.idle()
          return done()
        }
      }
      return done()
    },
    async close() {
      await queue.stop({ graceMs: 1000 })
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
