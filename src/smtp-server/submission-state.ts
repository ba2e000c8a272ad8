// What a session on a submission listener (RFC 6409, RFC 8314) needs beyond the mx role:
// where AUTH may be used without TLS, the failed-AUTH limits, the DKIM signer; and the
// per-session authentication state (the SASL exchange in progress, the logged-in account).
import type { DkimSigner } from '../dkim-sign/dkim-signer.ts'
import type { AuthFailureLimiter } from './auth-limiter.ts'
import type { ScramServerState } from '../auth/scram.ts'
import type { Account } from '../store/types.ts'

export interface SubmissionDeps {
  /** Client networks where AUTH is offered before TLS (loopback by default). */
  isPlaintextAllowed: (ip: string) => boolean
  /** Delay before answering a failed AUTH (RFC 4954 15: slows password guessing). */
  authFailureDelayMs: number
  /** Failed AUTH attempts per client IP, shared by the submission listeners. */
  authLimiter: AuthFailureLimiter
  /** Signs submitted mail with the From domain's keys; undefined: no signing. */
  dkimSigner: DkimSigner | undefined
}

/** The account a session authenticated as (RFC 4954 4). */
export interface AuthenticatedUser {
  accountId: number
  address: string
  mechanism: string
}

/** A SASL exchange waiting for the client's next line (after a 334 challenge). */
export type SaslExchange =
  | { kind: 'plain' }
  | { kind: 'login-user' }
  | { kind: 'login-password'; user: string }
  | { kind: 'scram-first' }
  /** account: undefined when the user is unknown or may not log in (fails at the proof). */
  | { kind: 'scram-final'; state: ScramServerState; account: Account | undefined }
  | { kind: 'scram-done'; account: Account }
