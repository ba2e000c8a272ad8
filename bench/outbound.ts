// bench/outbound.ts — outbound queue benchmark (npm run bench:outbound; a benchmark, not a test).
// Injects N messages (one recipient each, to D domains) straight into a fresh store with
// store.accept() (the same durable write SMTP uses, batched), then runs the real queue
// scheduler and the real SMTP transport against a local sink that accepts everything (the
// scripted SMTP server on 127.0.0.1, every domain's MX pointing at it), and prints:
//   1. throttles off: deliveries/s (wall clock, from queue start to the last recipient marked
//      delivered in the store), median over --runs;
//   2. throttles on (default 60/min per domain, stricter overrides for some domains), on a
//      virtual clock so that minutes of throttled sending run in seconds: for each domain its
//      limit and the most messages the sink received in any 60 s window (and the most
//      deliveries in progress at once), which must not exceed the limit.
// Ends with one machine-readable `RESULT key=value ...` line.
//
// Usage: node bench/outbound.ts [--messages N] [--domains D] [--runs R] [--concurrency C]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { queueSchema, type QueueConfig } from '../src/config/schema.ts'
import { Router } from '../src/delivery/router.ts'
import { staticResolver } from '../src/dns/resolver.ts'
import { createSmtpTransport } from '../src/outbound/smtp-transport.ts'
import type { DeliveryOutcome, DeliveryRequest, Transport } from '../src/outbound/transport.ts'
import { createQueueService } from '../src/queue/queue-service.ts'
import { openStore } from '../src/store/open-store.ts'
import type { Store } from '../src/store/types.ts'
import { createLogger } from '../src/telemetry/logger.ts'
import { VirtualTime } from '../test/harness/queue-kit.ts'
import { startScriptedSmtpServer } from '../test/harness/scripted-smtp-server.ts'

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    domains: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '200' },
    timeout: { type: 'string', default: '300' },
  },
})
const MESSAGES = Number(flags.messages)
const DOMAINS = Number(flags.domains)
const RUNS = Number(flags.runs)
const CONCURRENCY = Number(flags.concurrency)
const DEADLINE = Date.now() + Number(flags.timeout) * 1000
const domainName = (i: number): string => `d${String(i)}.bench.test`

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? 0
}

function message(i: number, to: string): Buffer {
  const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnop.\r\n'
  return Buffer.from(
    `From: <sender@a.bench.test>\r\nTo: <${to}>\r\nSubject: bench ${String(i)}\r\n` +
      `Message-ID: <bench-${String(i)}@a.bench.test>\r\n\r\n${line.repeat(12)}`,
  )
}

async function inject(store: Store, clock: () => number): Promise<void> {
  const BATCH = 1000
  for (let start = 0; start < MESSAGES; start += BATCH) {
    const writes: Promise<unknown>[] = []
    for (let i = start; i < Math.min(MESSAGES, start + BATCH); i++) {
      const to = `u${String(i)}@${domainName(i % DOMAINS)}`
      writes.push(
        store.accept({
          raw: message(i, to),
          receivedAt: clock(),
          mailFrom: 'sender@a.bench.test',
          local: [],
          remote: [{ address: to }],
        }),
      )
    }
    await Promise.all(writes)
  }
}

/** Counts deliveries in progress per domain around the real transport. */
class CountingTransport implements Transport {
  readonly inner: Transport
  readonly active = new Map<string, number>()
  readonly maxActive = new Map<string, number>()
  delivered = 0

  constructor(inner: Transport) {
    this.inner = inner
  }

  async deliver(request: DeliveryRequest): Promise<DeliveryOutcome> {
    const d = request.domain
    const n = (this.active.get(d) ?? 0) + 1
    this.active.set(d, n)
    this.maxActive.set(d, Math.max(n, this.maxActive.get(d) ?? 0))
    try {
      const out = await this.inner.deliver(request)
      this.delivered += out.recipients.filter((r) => r.kind === 'delivered').length
      return out
    } finally {
      this.active.set(d, (this.active.get(d) ?? 1) - 1)
    }
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

interface RunResult {
  seconds: number
  delivered: number
  sinkTimes: Map<string, number[]>
  maxActive: Map<string, number>
}

async function run(opts: { config: Partial<QueueConfig>; virtual: boolean }): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-bench-outbound-'))
  const time = new VirtualTime(Date.now())
  const clock = opts.virtual ? time.clock : Date.now
  const sinkTimes = new Map<string, number[]>()
  const sink = await startScriptedSmtpServer({
    hostname: 'sink.bench.test',
    clock,
    on: {
      DOT: (c) => {
        const domain = (c.message?.rcpts[0] ?? '').split('@')[1] ?? ''
        const list = sinkTimes.get(domain) ?? []
        list.push(clock())
        sinkTimes.set(domain, list)
        return undefined
      },
    },
  })
  const records: Record<string, Record<string, unknown>> = {
    'mx.sink.bench.test': { A: ['127.0.0.1'] },
  }
  for (let i = 0; i < DOMAINS; i++) {
    records[domainName(i)] = { MX: [{ exchange: 'mx.sink.bench.test', priority: 10 }] }
  }
  const store = openStore({ path: join(dir, 'bench.db'), clock })
  const logger = createLogger({ level: 'silent' })
  const transport = new CountingTransport(
    createSmtpTransport({
      resolver: staticResolver(records),
      hostname: 'mx.a.bench.test',
      port: sink.port,
      mtaSts: false,
      clock,
      logger,
    }),
  )
  try {
    await inject(store, clock)
    // Drop the sink's record of bodies as they come: the bench keeps only timestamps.
    const trim = setInterval(() => sink.messages.splice(0), 500)
    const queue = createQueueService({
      config: { ...queueSchema.parse({}), max_concurrent: CONCURRENCY, ...opts.config },
      hostname: 'mx.a.bench.test',
      store,
      router: new Router({ store, plusSeparator: '+' }),
      transport,
      clock,
      ...(opts.virtual ? { timers: time } : {}),
      logger,
    })
    const started = performance.now()
    await queue.start()
    while (transport.delivered < MESSAGES && Date.now() < DEADLINE) {
      await queue.runner.idle()
      if (transport.delivered >= MESSAGES) break
      if (opts.virtual) time.advance()
      else await new Promise((r) => setTimeout(r, 20))
    }
    // Done when the store says so (the outcome rows are written after the sink's 250).
    while ((await store.queue.counts()).delivered < MESSAGES && Date.now() < DEADLINE) {
      await new Promise((r) => setTimeout(r, 5))
    }
    const seconds = (performance.now() - started) / 1000
    clearInterval(trim)
    await queue.stop({ graceMs: 5000 })
    return {
      seconds,
      delivered: (await store.queue.counts()).delivered,
      sinkTimes,
      maxActive: transport.maxActive,
    }
  } finally {
    await store.close()
    await sink.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The most timestamps within any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b)
  let best = 0
  let lo = 0
  for (let hi = 0; hi < t.length; hi++) {
    while ((t[hi] ?? 0) - (t[lo] ?? 0) >= windowMs) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

async function main(): Promise<void> {
  console.log(
    `outbound: ${String(MESSAGES)} messages to ${String(DOMAINS)} domains, injected with ` +
      `store.accept(); real scheduler + SMTP transport -> local sink; concurrency ${String(CONCURRENCY)}`,
  )
  const rates: number[] = []
  for (let r = 0; r < RUNS; r++) {
    const res = await run({ config: { throttle: false }, virtual: false })
    const rate = res.delivered / res.seconds
    rates.push(rate)
    console.log(
      `  throttles off, run ${String(r + 1)}: ${String(res.delivered)} delivered in ` +
        `${res.seconds.toFixed(2)} s = ${rate.toFixed(0)} deliveries/s`,
    )
  }
  console.log(`throttles off: median ${median(rates).toFixed(0)} deliveries/s`)
  const strict = Array.from({ length: Math.min(10, DOMAINS) }, (_, i) => `${domainName(i)}:2:20`)
  const on = await run({
    config: {
      throttle: true,
      domain_max_concurrent: 5,
      domain_max_per_minute: 60,
      domain_limits: strict,
      account_max_per_hour: 0,
    },
    virtual: true,
  })
  let held = true
  const rows: string[] = []
  for (let i = 0; i < DOMAINS; i++) {
    const d = domainName(i)
    const isStrict = i < strict.length
    const limit = isStrict ? 20 : 60
    const maxConcurrent = isStrict ? 2 : 5
    const seen = maxInWindow(on.sinkTimes.get(d) ?? [], 60_000)
    const active = on.maxActive.get(d) ?? 0
    if (seen > limit || active > maxConcurrent) held = false
    if (i < 12 || seen > limit) {
      rows.push(
        `  ${d.padEnd(18)} limit ${String(limit).padStart(3)}/min, max ${String(maxConcurrent)} at once:` +
          ` most in any 60 s ${String(seen).padStart(3)}, most at once ${String(active)}`,
      )
    }
  }
  console.log(
    `throttles on (virtual clock): ${String(on.delivered)} delivered; per domain (first 12):`,
  )
  for (const row of rows) console.log(row)
  console.log(`throttles on: every domain's limit held: ${held ? 'yes' : 'NO'}`)
  console.log(
    `RESULT deliveries_per_s=${median(rates).toFixed(0)} messages=${String(MESSAGES)} ` +
      `domains=${String(DOMAINS)} throttle_held=${String(held)}`,
  )
  if (!held) process.exitCode = 1
}

await main()
