// AUTH (RFC 4954 4) on submission listeners, with SASL SCRAM-SHA-256 (RFC 7677, in
// auth-scram.ts), PLAIN (RFC 4616) and LOGIN, initial response allowed: a 334 challenge makes
// the session read the client's next line as the response (continueAuth). Offered after TLS,
// or before it only to clients in submission.plaintext_networks (RFC 8314 3, RFC 4954 4: 538
// otherwise). A failed attempt is answered 535 5.7.8 after a delay; too many from one IP in a
// window close the connection with 421 and keep that IP from authenticating until the window
// has passed (RFC 4954 15; auth-outcome.ts). The mx role does not offer AUTH (502).
import type { SmtpCommand } from '../../smtp/command.ts'
import {
  SmtpReplyError,
  C502NotImplemented,
  C503BadSequence,
  C538EncryptionRequired,
  Es551InvalidCommand,
  Es5711EncryptionRequired,
} from '../../smtp/codes.ts'
import {
  LOGIN_PASSWORD_PROMPT,
  LOGIN_USERNAME_PROMPT,
  decodeSaslResponse,
  parsePlainMessage,
  saslMechanism,
  type SaslCredentials,
} from '../../smtp/sasl.ts'
import { verifyPassword } from '../../auth/password.ts'
import type { SmtpSession } from '../session.ts'
import type { SaslExchange } from '../submission-state.ts'
import { challenge, failAuth, refuseIfBlocked, succeedAuth } from './auth-outcome.ts'
import { keepScramSecret, scramClientFinal, scramClientFirst, scramDone } from './auth-scram.ts'

type Auth = Extract<SmtpCommand, { kind: 'auth' }>

/** Whether AUTH may be used on this connection now: TLS, or a plaintext-allowed network. */
export function canAuthenticateHere(session: SmtpSession): boolean {
  const sub = session.deps.submission
  if (session.deps.settings.role !== 'submission' || sub === undefined) return false
  return session.isTls || sub.isPlaintextAllowed(session.conn.remoteAddress)
}

export async function runAuth(session: SmtpSession, command: Auth): Promise<void> {
  const sub = session.deps.submission
  if (session.deps.settings.role !== 'submission' || sub === undefined) {
    // The mx role takes mail for local users only; AUTH is offered on submission.
    throw new SmtpReplyError(C502NotImplemented, Es551InvalidCommand, 'AUTH not available')
  }
  // RFC 4954 4: AUTH needs EHLO, is refused once authenticated and during a transaction.
  if (session.greeting.kind !== 'ehlo') throw badSequence('send EHLO first')
  if (session.authenticated) throw badSequence('already authenticated')
  if (session.transaction) throw badSequence('AUTH not permitted during a mail transaction')
  if (!canAuthenticateHere(session)) {
    throw new SmtpReplyError(
      C538EncryptionRequired,
      Es5711EncryptionRequired,
      'encryption required for authentication: use STARTTLS',
    )
  }
  refuseIfBlocked(session, sub)
  const mechanism = saslMechanism(command.mechanism)
  const initial = command.initialResponse
  if (mechanism === 'SCRAM-SHA-256') {
    if (initial === undefined) {
      challenge(session, { kind: 'scram-first' }, '')
      return
    }
    await scramClientFirst(session, decodeSaslResponse(initial, { isInitial: true }))
    return
  }
  if (mechanism === 'PLAIN') {
    if (initial === undefined) {
      challenge(session, { kind: 'plain' }, '')
      return
    }
    await logInPlain(session, decodeSaslResponse(initial, { isInitial: true }))
    return
  }
  if (initial === undefined) {
    challenge(session, { kind: 'login-user' }, LOGIN_USERNAME_PROMPT)
    return
  }
  const user = decodeSaslResponse(initial, { isInitial: true })
  challenge(session, { kind: 'login-password', user }, LOGIN_PASSWORD_PROMPT)
}

/** The client's line after a 334 (RFC 4954 4); "*" cancels with 501. */
export async function continueAuth(
  session: SmtpSession,
  exchange: SaslExchange,
  line: string,
): Promise<void> {
  const text = decodeSaslResponse(line, { isInitial: false })
  switch (exchange.kind) {
    case 'plain':
      await logInPlain(session, text)
      return
    case 'login-user':
      challenge(session, { kind: 'login-password', user: text }, LOGIN_PASSWORD_PROMPT)
      return
    case 'login-password':
      await logIn(session, { authzid: '', user: exchange.user, password: text }, 'LOGIN')
      return
    case 'scram-first':
      await scramClientFirst(session, text)
      return
    case 'scram-final':
      await scramClientFinal(session, exchange, text)
      return
    case 'scram-done':
      scramDone(session, exchange, text)
      return
  }
}

function badSequence(text: string): SmtpReplyError {
  return new SmtpReplyError(C503BadSequence, Es551InvalidCommand, text)
}

async function logInPlain(session: SmtpSession, message: string): Promise<void> {
  await logIn(session, parsePlainMessage(message), 'PLAIN')
}

async function logIn(
  session: SmtpSession,
  creds: SaslCredentials,
  mechanism: string,
): Promise<void> {
  const { store } = session.deps
  const user = creds.user.trim().toLowerCase()
  const account = user.includes('@') ? await store.accounts.get(user) : undefined
  const isValid =
    account !== undefined && (await verifyPassword(creds.password, account.passwordHash))
  // Acting as another user (RFC 4616 2 authzid) is not supported: it must name the same user.
  const isSameIdentity = creds.authzid === '' || creds.authzid.trim().toLowerCase() === user
  if (!isValid || !isSameIdentity) {
    await failAuth(session, creds.user, mechanism)
    return
  }
  await keepScramSecret(session, account, creds.password)
  succeedAuth(session, account, mechanism)
}
