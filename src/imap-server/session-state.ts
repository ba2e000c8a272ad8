// The state an IMAP session carries (RFC 9051 3): not authenticated until LOGIN/AUTHENTICATE,
// then authenticated with the account, then selected with the account and the mailbox view,
// then logout. Each state carries only the data valid in it (Stalwart `State`).
import type { Logger } from '../telemetry/logger.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import type { Store } from '../store/types.ts'
import type { MailboxHub } from './mailbox-hub.ts'
import type { SelectedMailbox } from './selected-mailbox.ts'
import type { JunkTrainingHook } from '../spam/bayes/junk-trainer.ts'

export interface ImapServerSettings {
  /** "imap" (STARTTLS, RFC 9051 6.2.1) or "imaps" (implicit TLS, RFC 8314 3.3). */
  listener: 'imap' | 'imaps'
  hostname: string
  /** Longest command line, CRLF included, literals excluded. */
  maxLineBytes: number
  /** Largest literal, so the largest APPENDed message (APPENDLIMIT, RFC 7889). */
  maxLiteralBytes: number
  /** BAD responses in one session before "* BYE" and close. */
  maxBadCommands: number
  /** Failed logins in one session before "* BYE" and close. */
  maxLoginFailures: number
  /** Delay before answering a failed login (slows down password guessing). */
  loginFailureDelayMs: number
  /** RFC 9051 5.4: the autologout timer, at least 30 minutes (IDLE included). */
  idleTimeoutMs: number
  /** Concurrent authenticated sessions of one account (on every IMAP listener). */
  maxConnectionsPerAccount: number
  /** Whether LOGIN and AUTHENTICATE are allowed without TLS from this client address. */
  isPlaintextAllowed: (ip: string) => boolean
}

/** Counts authenticated sessions per account, shared by the imap and imaps listeners. */
export interface AccountSlots {
  /** A release function, or undefined when the account is at its limit. */
  acquire(accountId: number): (() => void) | undefined
}

export interface ImapDeps {
  settings: ImapServerSettings
  store: Store
  /** One per process: the store's change feed, fanned out to the sessions by mailbox. */
  hub: MailboxHub
  accountSlots: AccountSlots
  logger: Logger
  metrics: Metrics
  /** Server TLS options; undefined: STARTTLS is not offered (and imaps cannot run). */
  tls: { cert: Buffer; key: Buffer } | undefined
  clock: () => number
  /** Waits `ms` (injected so that tests run without delays). */
  sleep: (ms: number) => Promise<void>
  /** Spam training from moves into / out of Junk and $Junk / $NotJunk flags (optional). */
  junkTrainer?: JunkTrainingHook
}

/** The account a session acts for (never another's: every store call passes its id). */
export interface AccountRef {
  id: number
  address: string
}

export type ImapState =
  | { kind: 'not-authenticated'; authFailures: number }
  | { kind: 'authenticated'; account: AccountRef }
  | { kind: 'selected'; account: AccountRef; mailbox: SelectedMailbox; readOnly: boolean }
  | { kind: 'logout' }

export type ImapStateKind = ImapState['kind']
export type SelectedState = Extract<ImapState, { kind: 'selected' }>

/** A SASL exchange waiting for the client's next line (RFC 9051 6.2.2). */
export type SaslExchange =
  | { kind: 'plain'; tag: string }
  | { kind: 'login-user'; tag: string }
  | { kind: 'login-password'; tag: string; user: string }

/** Extensions the client turned on with ENABLE (RFC 5161) or implicitly (RFC 7162 3.1). */
export interface Enabled {
  condstore: boolean
  qresync: boolean
  utf8: boolean
  imap4rev2: boolean
}

export interface ConnectionInfo {
  id: string
  remoteAddress: string
  remotePort: number
}
