// Prometheus metrics on a registry of their own (never prom-client's global one, so tests can
// create as many as they like). DESIGN.md names postern_messages_accepted_total and
// postern_deliveries_total as a contract: benchmarks read them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export interface Metrics {
  readonly registry: Registry
  /** The Content-Type of render()'s output. */
  readonly contentType: string
  /** 2xx after DATA/BDAT, by listener role ("mx", "submission"). */
  readonly messagesAccepted: Counter<'role'>
  /** Mailbox deliveries committed (one per local recipient). */
  readonly deliveries: Counter
  readonly messagesRejected: Counter<'role' | 'reason'>
  readonly smtpSessions: Counter<'role'>
  readonly smtpConnectionsActive: Gauge<'role'>
  /** command: upper-case verb; result: "ok" (2xx/3xx), "temp" (4xx) or "perm" (5xx). */
  readonly smtpCommands: Counter<'command' | 'result'>
  readonly storeCommits: Counter
  readonly storeCommitSeconds: Histogram
  render(): Promise<string>
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  return {
    registry,
    contentType: registry.contentType,
    messagesAccepted: new Counter({
      name: 'postern_messages_accepted_total',
      help: 'Messages acknowledged with 2xx after DATA/BDAT, by listener role',
      labelNames: ['role'] as const,
      registers,
    }),
    deliveries: new Counter({
      name: 'postern_deliveries_total',
      help: 'Mailbox deliveries committed',
      registers,
    }),
    messagesRejected: new Counter({
      name: 'postern_messages_rejected_total',
      help: 'Messages refused after DATA/BDAT, by listener role and reason',
      labelNames: ['role', 'reason'] as const,
      registers,
    }),
    smtpSessions: new Counter({
      name: 'postern_smtp_sessions_total',
      help: 'SMTP sessions started, by listener role',
      labelNames: ['role'] as const,
      registers,
    }),
    smtpConnectionsActive: new Gauge({
      name: 'postern_smtp_connections_active',
      help: 'SMTP connections open now, by listener role',
      labelNames: ['role'] as const,
      registers,
    }),
    smtpCommands: new Counter({
      name: 'postern_smtp_commands_total',
      help: 'SMTP commands handled, by command and result class',
      labelNames: ['command', 'result'] as const,
      registers,
    }),
    storeCommits: new Counter({
      name: 'postern_store_commits_total',
      help: 'Store group commits written to disk',
      registers,
    }),
    storeCommitSeconds: new Histogram({
      name: 'postern_store_commit_seconds',
      help: 'Time to write and fsync one group commit',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    render: () => registry.metrics(),
  }
}
