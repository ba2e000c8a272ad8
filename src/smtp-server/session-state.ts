// The state an SMTP session carries: what the client said it is (greeting), whether the
// channel is encrypted, and the mail transaction in progress (RFC 5321 3.3), which RSET,
// HELO/EHLO, a completed DATA/BDAT and STARTTLS replace.
import type { Logger } from '../telemetry/logger.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import type { Router } from '../delivery/router.ts'
import type { Store, DsnRecipient } from '../store/types.ts'
import type { MailParams, RcptParams } from '../smtp/command.ts'
import type { DnsResolver } from '../dns/resolver.ts'
import type { RcptCheck } from './rcpt-checks.ts'

export type SmtpRole = 'mx'

export interface SmtpServerSettings {
  role: SmtpRole
  hostname: string
  maxMessageBytes: number
  maxLineBytes: number
  maxRecipients: number
  maxErrors: number
  idleTimeoutMs: number
  sessionTimeoutMs: number
  errorDelayMs: number
  maxReceivedHeaders: number
  /** Client networks allowed to relay to non-local domains without authentication. */
  isTrustedClient: (ip: string) => boolean
}

export interface SmtpDeps {
  settings: SmtpServerSettings
  store: Store
  router: Router
  /** DNS for every lookup a stage makes (SPF, DKIM, DMARC, blocklists). */
  resolver: DnsResolver
  /** Policy checks every RCPT passes after routing (suppression list, greylisting...). */
  rcptChecks?: readonly RcptCheck[]
  logger: Logger
  metrics: Metrics
  /** Server TLS options; undefined: STARTTLS is not offered. */
  tls: { cert: Buffer; key: Buffer } | undefined
  clock: () => number
  /** Waits `ms` (injected so that tests run without delays). */
  sleep: (ms: number) => Promise<void>
}

export type Greeting = { kind: 'none' } | { kind: 'helo' | 'ehlo'; domain: string }

export interface AcceptedRcpt {
  /** The address as given by the client (local@domain). */
  address: string
  params: RcptParams
  dsn: DsnRecipient
  accounts: { accountId: number; address: string }[]
  remote: string[]
}

export interface Transaction {
  mailFrom: string
  params: MailParams
  rcpts: AcceptedRcpt[]
  /** BDAT chunks received so far (RFC 3030); undefined until the first BDAT. */
  chunks: Buffer[] | undefined
}

export interface ConnectionInfo {
  id: string
  remoteAddress: string
  remotePort: number
  localPort: number
}
