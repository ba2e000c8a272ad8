// The state an SMTP session carries: what the client said it is (greeting), whether the
// channel is encrypted, and the mail transaction in progress (RFC 5321 3.3), which RSET,
// HELO/EHLO, a completed DATA/BDAT and STARTTLS replace.
import type { Logger } from '../telemetry/logger.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import type { Router } from '../delivery/router.ts'
import type { Store, DsnRecipient } from '../store/types.ts'
import type { MailParams, RcptParams } from '../smtp/command.ts'
import type { DnsResolver } from '../dns/resolver.ts'
import type { EmailAuthenticator } from '../email-auth/authenticator.ts'
import type { RcptCheck } from './rcpt-checks.ts'
import type { ForwardingDeps } from './pipeline/forward.ts'
import type { SpamStageDeps } from './pipeline/spam.ts'
import type { SubmissionDeps } from './submission-state.ts'

/** mx: mail for local users from anywhere; submission: authenticated users send (RFC 6409). */
export type SmtpRole = 'mx' | 'submission'

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
  /** SPF, DKIM, DMARC and ARC of inbound mail (mx role; undefined: auth.enabled is false). */
  emailAuth?: EmailAuthenticator
  /** The spam verdict (mx) and pre-flight (submission); undefined: spam.enabled is false. */
  spam?: SpamStageDeps
  /** Policy checks every RCPT passes after routing (suppression list, greylisting...). */
  rcptChecks?: readonly RcptCheck[]
  /**
   * The outbound sender score (submission): throws the reply (451 throttled, 550 suspended)
   * for an account that may not send now. src/spam/sender-score/sender-score.ts.
   */
  senderCheck?: (accountId: number) => Promise<void>
  /** SRS and ARC sealing of forwarded mail (mx role); undefined: forwarded as received. */
  forwarding?: ForwardingDeps
  /** Told after a commit that queued remote recipients (wakes the outbound queue). */
  onQueued?: () => void
  logger: Logger
  metrics: Metrics
  /** AUTH, sender checks and DKIM signing; set on submission listeners only. */
  submission?: SubmissionDeps
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
