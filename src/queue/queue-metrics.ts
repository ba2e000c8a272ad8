// The outbound queue's Prometheus metrics, registered on the server's private registry:
// recipients by delivery outcome, transport calls, and the queue size by state (read from the
// store when /metrics is scraped).

import { Counter, Gauge, type Registry } from 'prom-client'
import type { RecipientState } from '../store/types-outbound.ts'

export interface QueueMetrics {
  /** outcome: delivered, deferred, bounced, expired, suppressed, throttled. */
  readonly outcomes: Counter<'outcome'>
  /** Transport deliveries (one per message and domain) started. */
  readonly attempts: Counter
  /** DSNs sent, by kind (failure, delay, success). */
  readonly dsns: Counter<'kind'>
}

export function createQueueMetrics(opts: {
  registry: Registry
  counts: () => Promise<Record<RecipientState, number>>
}): QueueMetrics {
  const registers = [opts.registry]
  const counts = opts.counts
  new Gauge({
    name: 'postern_queue_recipients',
    help: 'Outbound queue recipients by state',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      try {
        for (const [state, n] of Object.entries(await counts())) this.set({ state }, n)
      } catch {
        // The store is closed (shutting down): keep the last values.
      }
    },
  })
  return {
    outcomes: new Counter({
      name: 'postern_queue_deliveries_total',
      help: 'Outbound recipients by delivery outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    attempts: new Counter({
      name: 'postern_queue_attempts_total',
      help: 'Outbound transport deliveries started (one per message and domain)',
      registers,
    }),
    dsns: new Counter({
      name: 'postern_queue_dsns_total',
      help: 'Delivery status notifications sent, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
  }
}
