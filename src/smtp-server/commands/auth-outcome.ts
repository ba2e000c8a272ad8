// How an SMTP AUTH exchange (RFC 4954) goes on and ends, whatever the mechanism: a 334
// challenge, success (235 2.7.0, the session's account set, an "smtp.auth" event), or failure
// (counted per IP, delayed, 535 5.7.8; 421 and close once the IP has failed too often).
import {
  SmtpReplyError,
  C235AuthSucceeded,
  C334AuthContinue,
  C421ServiceUnavailable,
  C535AuthCredentialsInvalid,
  Es270Other,
  Es470Other,
  Es578AuthCredentialsInvalid,
} from '../../smtp/codes.ts'
import type { SmtpSession } from '../session.ts'
import type { SaslExchange, SubmissionDeps } from '../submission-state.ts'

/** RFC 4954 4: "334" SP base64 challenge; the next line is the client's response. */
export function challenge(session: SmtpSession, exchange: SaslExchange, base64: string): void {
  session.sasl = exchange
  session.write(`${C334AuthContinue} ${base64}\r\n`)
}

export function succeedAuth(
  session: SmtpSession,
  account: { id: number; address: string },
  mechanism: string,
): void {
  session.authenticated = { accountId: account.id, address: account.address, mechanism }
  session.deps.metrics.smtpAuth.inc({ result: 'ok' })
  session.deps.logger.info({
    event: 'smtp.auth',
    account: account.address,
    mechanism,
    ...session.logFields(),
  })
  session.reply(C235AuthSucceeded, Es270Other, 'authentication successful')
}

/** Refuses AUTH from an IP that failed too often in the window (before any credential). */
export function refuseIfBlocked(session: SmtpSession, sub: SubmissionDeps): void {
  if (!sub.authLimiter.isBlocked(session.conn.remoteAddress)) return
  session.deps.logger.info({ event: 'smtp.auth-blocked', ...session.logFields() })
  session.deps.metrics.smtpAuth.inc({ result: 'blocked' })
  throw tooManyFailures()
}

function tooManyFailures(): SmtpReplyError {
  return new SmtpReplyError(
    C421ServiceUnavailable,
    Es470Other,
    'too many failed authentications, try again later',
    { closes: true },
  )
}

/** A failed attempt: counted for the IP, logged, delayed, then 535 (or 421 past the limit). */
export async function failAuth(
  session: SmtpSession,
  user: string,
  mechanism: string,
): Promise<never> {
  const { deps } = session
  const sub = deps.submission
  const isBlocked = sub?.authLimiter.recordFailure(session.conn.remoteAddress) ?? false
  deps.metrics.smtpAuth.inc({ result: 'failed' })
  deps.logger.info({
    event: 'smtp.auth-failed',
    user: user.slice(0, 100),
    mechanism,
    ...session.logFields(),
  })
  const delayMs = sub?.authFailureDelayMs ?? 0
  if (delayMs > 0) await deps.sleep(delayMs)
  if (isBlocked) throw tooManyFailures()
  throw new SmtpReplyError(
    C535AuthCredentialsInvalid,
    Es578AuthCredentialsInvalid,
    'authentication credentials invalid',
  )
}
