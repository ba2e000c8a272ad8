// The outbound queue as one service for app/start.ts: the scheduler with its retry policy,
// throttles, DSN sender and metrics built from the `queue` config section, plus what the SMTP
// listeners need from it (the wake-up hook and the suppression RCPT check).

import type { QueueConfig } from '../config/schema.ts'
import type { Router } from '../delivery/router.ts'
import type { Transport } from '../outbound/transport.ts'
import type { Store } from '../store/types.ts'
import type { Logger } from '../telemetry/logger.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import { DsnSender, type DsnSenderOptions } from './dsn-sender.ts'
import { createQueueMetrics } from './queue-metrics.ts'
import { RetryPolicy } from './retry-policy.ts'
import { QueueRunner, type Timers } from './scheduler.ts'
import { suppressionRcptCheck } from './suppression-check.ts'
import { parseDomainLimits, Throttle } from './throttle.ts'

export interface QueueServiceOptions {
  config: QueueConfig
  hostname: string
  store: Store
  router: Pick<Router, 'route'>
  transport: Transport
  clock: () => number
  timers?: Timers
  logger: Logger
  /** Registers the queue's metrics on this registry when given. */
  metrics?: Pick<Metrics, 'registry'>
  /** Told the final outcome of each recipient of a submitted message (sender score). */
  onOutcome?: (accountId: number, outcome: 'delivered' | 'bounced') => Promise<void>
  /** DKIM-signs the DSNs (app/generated-mail-dkim.ts); absent: DSNs go out unsigned. */
  dsnSigner?: DsnSenderOptions['signer']
}

export interface QueueService {
  readonly runner: QueueRunner
  /** SmtpDeps.onQueued: something was queued. */
  wake(): void
  /** SmtpDeps.rcptChecks entry: suppressed addresses refused on submission. */
  readonly rcptCheck: ReturnType<typeof suppressionRcptCheck>
  start(): Promise<void>
  stop(opts: { graceMs: number }): Promise<void>
}

/** The longest a domain that keeps asking to slow down is paused. */
const MAX_SLOWDOWN_PAUSE_MS = 3_600_000

export function throttleFromConfig(c: QueueConfig): Throttle {
  return new Throttle({
    enabled: c.throttle,
    domainDefaults: {
      maxConcurrent: c.domain_max_concurrent,
      maxPerMinute: c.domain_max_per_minute,
    },
    domainOverrides: parseDomainLimits(c.domain_limits),
    accountMaxPerHour: c.account_max_per_hour,
    slowdownPauseMs: c.slowdown_pause_s * 1000,
    maxSlowdownPauseMs: Math.max(MAX_SLOWDOWN_PAUSE_MS, c.slowdown_pause_s * 1000),
  })
}

export function createQueueService(opts: QueueServiceOptions): QueueService {
  const { config: c, store } = opts
  const ref: { runner?: QueueRunner } = {}
  const wake = (): void => {
    ref.runner?.wake()
  }
  const dsn = new DsnSender({
    store,
    router: opts.router,
    hostname: opts.hostname,
    maxFullBytes: c.dsn_max_full_bytes,
    clock: opts.clock,
    onQueued: wake,
    ...(opts.dsnSigner === undefined ? {} : { signer: opts.dsnSigner }),
  })
  const metrics =
    opts.metrics === undefined
      ? undefined
      : createQueueMetrics({ registry: opts.metrics.registry, counts: () => store.queue.counts() })
  const runner = new QueueRunner({
    store,
    transport: opts.transport,
    policy: RetryPolicy.fromConfig(c),
    throttle: throttleFromConfig(c),
    dsn,
    clock: opts.clock,
    ...(opts.timers === undefined ? {} : { timers: opts.timers }),
    logger: opts.logger,
    ...(metrics === undefined ? {} : { metrics }),
    maxConcurrent: c.max_concurrent,
    pollIntervalMs: c.poll_interval_ms,
    keepFinishedMs: c.keep_finished_s * 1000,
    ...(opts.onOutcome === undefined ? {} : { onOutcome: opts.onOutcome }),
  })
  ref.runner = runner
  const started = runner
  return {
    runner: started,
    wake,
    rcptCheck: suppressionRcptCheck(store.suppressions),
    start: () => started.start(),
    stop: (o) => started.stop(o),
  }
}
