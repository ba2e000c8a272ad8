// Logging in (RFC 1939 7 USER/PASS; RFC 5034 AUTH with SASL PLAIN and LOGIN, initial
// response allowed). Plaintext credentials are refused without TLS unless the client's
// network is configured for it. A failed login is answered after a delay with
// "-ERR [AUTH]" (RFC 3206 5), and too many close the connection. A successful one locks the
// maildrop ("-ERR [IN-USE]" if another session holds it, RFC 2449 8.1.2) and snapshots it.
import type { Pop3Command } from '../../pop3/command.ts'
import { Pop3Error, RespAuth, RespInUse, RespSysPerm, badCommand } from '../../pop3/codes.ts'
import { formatChallenge, formatMultiline, formatOk } from '../../pop3/response.ts'
import {
  LOGIN_PASSWORD_PROMPT,
  LOGIN_USERNAME_PROMPT,
  SASL_CANCEL,
  SASL_MECHANISMS,
  decodeSaslResponse,
  isSaslMechanism,
  parsePlainMessage,
} from '../../pop3/sasl.ts'
import { verifyPassword } from '../../auth/password.ts'
import type { AuthorizationState } from '../session-state.ts'
import type { Pop3Session } from '../session.ts'

/** Whether credentials may be sent on this connection (TLS, or an allowed network). */
export function canLogInHere(session: Pop3Session): boolean {
  return session.isTls || session.deps.settings.isPlaintextAllowed(session.conn.remoteAddress)
}

function requireLoginAllowed(session: Pop3Session): void {
  if (!canLogInHere(session)) {
    throw new Pop3Error(RespAuth, 'plaintext authentication is not allowed without TLS; use STLS')
  }
}

export function runUser(session: Pop3Session, command: Extract<Pop3Command, { kind: 'user' }>) {
  requireLoginAllowed(session)
  session.authorization().user = command.name
  session.write(formatOk('send PASS'))
}

export async function runPass(
  session: Pop3Session,
  command: Extract<Pop3Command, { kind: 'pass' }>,
): Promise<void> {
  const state = session.authorization()
  const user = state.user
  if (user === undefined) throw badCommand('send USER first')
  state.user = undefined // RFC 1939 7: a failed PASS needs a new USER
  await logIn(session, { user, password: command.password })
}

export async function runAuth(
  session: Pop3Session,
  command: Extract<Pop3Command, { kind: 'auth' }>,
): Promise<void> {
  const { mechanism, initialResponse } = command
  if (mechanism === undefined) {
    // RFC 1734 3 style listing, which some clients still ask for.
    session.write(formatMultiline('SASL mechanisms follow', [...SASL_MECHANISMS]))
    return
  }
  requireLoginAllowed(session)
  if (!isSaslMechanism(mechanism)) throw badCommand(`mechanism ${mechanism} is not supported`)
  const state = session.authorization()
  state.user = undefined
  if (mechanism === 'PLAIN') {
    if (initialResponse === undefined) {
      state.sasl = { kind: 'plain' }
      session.write(formatChallenge(''))
      return
    }
    const creds = parsePlainMessage(decodeSaslResponse(initialResponse, { isInitial: true }))
    await logInSasl(session, creds)
    return
  }
  if (initialResponse === undefined) {
    state.sasl = { kind: 'login-user' }
    session.write(formatChallenge(LOGIN_USERNAME_PROMPT))
    return
  }
  const user = decodeSaslResponse(initialResponse, { isInitial: true })
  state.sasl = { kind: 'login-password', user }
  session.write(formatChallenge(LOGIN_PASSWORD_PROMPT))
}

/** The client's next line during a SASL exchange (RFC 5034 4). */
export async function continueSasl(
  session: Pop3Session,
  state: AuthorizationState,
  line: string,
): Promise<void> {
  const exchange = state.sasl
  state.sasl = undefined
  if (exchange === undefined) return
  if (line === SASL_CANCEL) throw new Pop3Error(undefined, 'authentication cancelled')
  const text = decodeSaslResponse(line, { isInitial: false })
  switch (exchange.kind) {
    case 'plain':
      await logInSasl(session, parsePlainMessage(text))
      return
    case 'login-user':
      state.sasl = { kind: 'login-password', user: text }
      session.write(formatChallenge(LOGIN_PASSWORD_PROMPT))
      return
    case 'login-password':
      await logIn(session, { user: exchange.user, password: text })
      return
  }
}

async function logInSasl(
  session: Pop3Session,
  creds: { authzid: string; user: string; password: string },
): Promise<void> {
  // Acting as another user (RFC 4616 2 authzid) is not supported: it must name the same user.
  if (creds.authzid !== '' && creds.authzid.toLowerCase() !== creds.user.toLowerCase()) {
    await failLogin(session, creds.user)
  }
  await logIn(session, creds)
}

async function failLogin(session: Pop3Session, user: string): Promise<never> {
  const { deps } = session
  const state = session.authorization()
  state.authFailures++
  deps.metrics.pop3Logins.inc({ result: 'failed' })
  deps.logger.info({ event: 'pop3.login-failed', user, ...session.logFields() })
  if (deps.settings.loginFailureDelayMs > 0) await deps.sleep(deps.settings.loginFailureDelayMs)
  const closes = state.authFailures >= deps.settings.maxLoginFailures
  throw new Pop3Error(RespAuth, 'invalid user name or password', { closes })
}

async function logIn(session: Pop3Session, creds: { user: string; password: string }) {
  const { store, locks, logger, metrics } = session.deps
  const account = creds.user.includes('@') ? await store.accounts.get(creds.user) : undefined
  const isValid =
    account !== undefined && (await verifyPassword(creds.password, account.passwordHash))
  if (!isValid || session.hasEnded()) return failLogin(session, creds.user)
  const inbox = await store.mailboxes.get(account.id, 'INBOX')
  if (inbox === undefined) throw new Pop3Error(RespSysPerm, 'the account has no INBOX')
  const unlock = locks.tryLock(inbox.id)
  if (unlock === undefined) {
    logger.info({ event: 'pop3.in-use', account: account.address, ...session.logFields() })
    throw new Pop3Error(RespInUse, 'maildrop is locked by another session')
  }
  let rows
  try {
    rows = await store.messages.list(inbox.id)
  } catch (err) {
    unlock()
    throw err
  }
  if (session.hasEnded()) {
    unlock() // the client went away while the maildrop was being read
    return
  }
  const messages = rows.map((r, i) => ({ msg: i + 1, uid: r.uid, size: r.size }))
  session.state = {
    kind: 'transaction',
    account,
    maildrop: { mailboxId: inbox.id, uidValidity: inbox.uidValidity, messages },
    deleted: new Set(),
    unlock,
  }
  metrics.pop3Logins.inc({ result: 'ok' })
  logger.info({ event: 'pop3.login', account: account.address, ...session.logFields() })
  const octets = messages.reduce((sum, m) => sum + m.size, 0)
  session.write(formatOk(`maildrop has ${messages.length} messages (${octets} octets)`))
}
