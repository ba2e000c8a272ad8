// The state a POP3 session carries (RFC 1939 3): AUTHORIZATION until the client has logged
// in, then TRANSACTION with the maildrop as it was when the session locked it, then UPDATE
// after QUIT. Each state carries only the data valid in it.
import type { Logger } from '../telemetry/logger.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import type { Account, Store } from '../store/types.ts'
import type { SaslMechanism } from '../pop3/sasl.ts'
import type { MailboxLocks } from './mailbox-locks.ts'

export interface Pop3ServerSettings {
  /** "pop3" (STLS) or "pop3s" (implicit TLS); names the listener in logs and metrics. */
  listener: 'pop3' | 'pop3s'
  hostname: string
  /** Longest input line, CRLF included. */
  maxLineBytes: number
  /** Bad commands in one session before "-ERR" and close. */
  maxBadCommands: number
  /** Failed logins in one session before "-ERR [AUTH]" and close. */
  maxLoginFailures: number
  /** Delay before answering a failed login (slows down password guessing). */
  loginFailureDelayMs: number
  /** RFC 1939 3: the inactivity autologout timer (at least 10 minutes). */
  idleTimeoutMs: number
  /** Whether USER/PASS and AUTH are allowed without TLS from this client address. */
  isPlaintextAllowed: (ip: string) => boolean
}

export interface Pop3Deps {
  settings: Pop3ServerSettings
  store: Store
  /** One per process, shared by the pop3 and pop3s listeners. */
  locks: MailboxLocks
  logger: Logger
  metrics: Metrics
  /** Server TLS options; undefined: STLS is not offered (and pop3s cannot run). */
  tls: { cert: Buffer; key: Buffer } | undefined
  clock: () => number
  /** Waits `ms` (injected so that tests run without delays). */
  sleep: (ms: number) => Promise<void>
}

/** One message of the maildrop as the session saw it at login. */
export interface SnapshotMessage {
  /** RFC 1939 5: message numbers start at 1 and do not change during the session. */
  msg: number
  uid: number
  size: number
}

export interface MaildropSnapshot {
  mailboxId: number
  uidValidity: number
  messages: readonly SnapshotMessage[]
}

/** A SASL exchange waiting for the client's next line (RFC 5034 4). */
export type SaslExchange =
  { kind: 'plain' } | { kind: 'login-user' } | { kind: 'login-password'; user: string }

export type Pop3State =
  | {
      kind: 'authorization'
      authFailures: number
      /** The name given by USER, waiting for PASS (RFC 1939 7). */
      user: string | undefined
      sasl: SaslExchange | undefined
    }
  | {
      kind: 'transaction'
      account: Account
      maildrop: MaildropSnapshot
      /** Message numbers marked by DELE; removed only in the UPDATE state. */
      deleted: Set<number>
      /** Releases the maildrop lock; called once when the session ends. */
      unlock: () => void
    }
  | { kind: 'update' }

export type Pop3StateKind = Pop3State['kind']
export type TransactionState = Extract<Pop3State, { kind: 'transaction' }>
export type AuthorizationState = Extract<Pop3State, { kind: 'authorization' }>

export type { SaslMechanism }

export interface ConnectionInfo {
  id: string
  remoteAddress: string
  remotePort: number
}
