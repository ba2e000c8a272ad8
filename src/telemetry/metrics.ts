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
  /** AUTH attempts on submission listeners: "ok", "failed", "blocked" (per-IP limit). */
  readonly smtpAuth: Counter<'result'>
  /** Submitted messages DKIM-signed ("signed"), without keys ("no-key") or failing ("error"). */
  readonly dkimSigned: Counter<'result'>
  readonly storeCommits: Counter
  /** POP3 sessions started, by listener ("pop3", "pop3s"). */
  readonly pop3Sessions: Counter<'listener'>
  readonly pop3ConnectionsActive: Gauge<'listener'>
  /** command: upper-case keyword ("OTHER" for unknown); result: "ok" or "err". */
  readonly pop3Commands: Counter<'command' | 'result'>
  /** result: "ok" or "failed". */
  readonly pop3Logins: Counter<'result'>
  readonly pop3MessagesRetrieved: Counter
  /** Message octets sent by RETR (before byte-stuffing). */
  readonly pop3BytesSent: Counter
  /** Messages removed at QUIT (UPDATE state). */
  readonly pop3MessagesDeleted: Counter
  readonly storeCommitSeconds: Histogram
  /** IMAP sessions started, by listener ("imap", "imaps"). */
  readonly imapSessions: Counter<'listener'>
  readonly imapConnectionsActive: Gauge<'listener'>
  /** command: "FETCH", "UID FETCH", ... ("OTHER" for unparsable); result: ok, no or bad. */
  readonly imapCommands: Counter<'command' | 'result'>
  readonly imapCommandSeconds: Histogram<'command'>
  /** result: "ok" or "failed". */
  readonly imapLogins: Counter<'result'>
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
    smtpAuth: new Counter({
      name: 'postern_smtp_auth_total',
      help: 'SMTP AUTH attempts on submission listeners, by result',
      labelNames: ['result'] as const,
      registers,
    }),
    dkimSigned: new Counter({
      name: 'postern_dkim_signed_total',
      help: 'Submitted messages by DKIM signing result',
      labelNames: ['result'] as const,
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
    ...createPop3Metrics(registers),
    ...createImapMetrics(registers),
    render: () => registry.metrics(),
  }
}

type Pop3Metrics = Pick<
  Metrics,
  | 'pop3Sessions'
  | 'pop3ConnectionsActive'
  | 'pop3Commands'
  | 'pop3Logins'
  | 'pop3MessagesRetrieved'
  | 'pop3BytesSent'
  | 'pop3MessagesDeleted'
>

function createPop3Metrics(registers: Registry[]): Pop3Metrics {
  return {
    pop3Sessions: new Counter({
      name: 'postern_pop3_sessions_total',
      help: 'POP3 sessions started, by listener',
      labelNames: ['listener'] as const,
      registers,
    }),
    pop3ConnectionsActive: new Gauge({
      name: 'postern_pop3_connections_active',
      help: 'POP3 connections open now, by listener',
      labelNames: ['listener'] as const,
      registers,
    }),
    pop3Commands: new Counter({
      name: 'postern_pop3_commands_total',
      help: 'POP3 commands handled, by command and result',
      labelNames: ['command', 'result'] as const,
      registers,
    }),
    pop3Logins: new Counter({
      name: 'postern_pop3_logins_total',
      help: 'POP3 logins, by result',
      labelNames: ['result'] as const,
      registers,
    }),
    pop3MessagesRetrieved: new Counter({
      name: 'postern_pop3_messages_retrieved_total',
      help: 'Messages sent with POP3 RETR',
      registers,
    }),
    pop3BytesSent: new Counter({
      name: 'postern_pop3_retrieved_bytes_total',
      help: 'Message octets sent with POP3 RETR',
      registers,
    }),
    pop3MessagesDeleted: new Counter({
      name: 'postern_pop3_messages_deleted_total',
      help: 'Messages removed at POP3 QUIT',
      registers,
    }),
  }
}

type ImapMetrics = Pick<
  Metrics,
  'imapSessions' | 'imapConnectionsActive' | 'imapCommands' | 'imapCommandSeconds' | 'imapLogins'
>

function createImapMetrics(registers: Registry[]): ImapMetrics {
  return {
    imapSessions: new Counter({
      name: 'postern_imap_sessions_total',
      help: 'IMAP sessions started, by listener',
      labelNames: ['listener'] as const,
      registers,
    }),
    imapConnectionsActive: new Gauge({
      name: 'postern_imap_connections_active',
      help: 'IMAP connections open now, by listener',
      labelNames: ['listener'] as const,
      registers,
    }),
    imapCommands: new Counter({
      name: 'postern_imap_commands_total',
      help: 'IMAP commands completed, by command and result (ok, no, bad)',
      labelNames: ['command', 'result'] as const,
      registers,
    }),
    imapCommandSeconds: new Histogram({
      name: 'postern_imap_command_seconds',
      help: 'Time from an IMAP command to its tagged response, by command',
      labelNames: ['command'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    }),
    imapLogins: new Counter({
      name: 'postern_imap_logins_total',
      help: 'IMAP logins, by result',
      labelNames: ['result'] as const,
      registers,
    }),
  }
}
