// AUTH SCRAM-SHA-256 (RFC 7677, RFC 5802) over SMTP (RFC 4954 4): client-first (initial
// response or after an empty 334), server-first in a 334, client-final checked against the
// account's stored secret, then the server signature in a 334 ("additional data with success",
// RFC 4954 4) answered by an empty line, then 235. An unknown user, or one without a secret,
// gets a made-up salt (stable per name) and fails at the proof, so the exchange does not tell
// which names exist. A successful PLAIN or LOGIN login stores the secret of an account that
// has none yet (accounts created before SCRAM), so SCRAM works for it from then on.
import { createHmac, randomBytes } from 'node:crypto'
import {
  ScramError,
  deriveScramSecret,
  formatScramSecret,
  parseClientFirst,
  parseScramSecret,
  serverFirst,
  verifyClientFinal,
  SCRAM_ITERATIONS,
  type ScramSecret,
} from '../../auth/scram.ts'
import { SmtpReplyError, C501ParamSyntax, Es552SyntaxError } from '../../smtp/codes.ts'
import type { Account } from '../../store/types.ts'
import type { SmtpSession } from '../session.ts'
import type { SaslExchange } from '../submission-state.ts'
import { challenge, failAuth, succeedAuth } from './auth-outcome.ts'

const MECHANISM = 'SCRAM-SHA-256'
/** Key for the made-up salts of unknown users (per process: stable while it runs). */
const FAKE_SALT_KEY = randomBytes(32)

type ScramFinal = Extract<SaslExchange, { kind: 'scram-final' }>

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

/** The client-first message: answers with server-first, or fails on bad syntax (501). */
export async function scramClientFirst(session: SmtpSession, message: string): Promise<void> {
  const first = parseOrRefuse(() => parseClientFirst(message))
  const user = first.username.trim().toLowerCase()
  const account = user.includes('@') ? await session.deps.store.accounts.get(user) : undefined
  const stored = account ? await session.deps.store.scram.get(account.id) : undefined
  const secret = stored === undefined ? undefined : parseScramSecret(stored)
  // Acting as another user (RFC 5802 5.1 a=) is not supported: it must name the same user.
  const isSameIdentity = first.authzid === '' || first.authzid.trim().toLowerCase() === user
  const state = serverFirst(first, secret ?? madeUpSecret(user))
  const exchange: ScramFinal = {
    kind: 'scram-final',
    state,
    account: account && secret && isSameIdentity ? account : undefined,
  }
  challenge(session, exchange, b64(state.serverFirst))
}

/** The client-final message: checks the proof; on success sends the server signature. */
export async function scramClientFinal(
  session: SmtpSession,
  exchange: ScramFinal,
  message: string,
): Promise<void> {
  const user = exchange.state.first.username
  let serverFinal: string
  try {
    serverFinal = verifyClientFinal(exchange.state, message)
  } catch (err) {
    if (!(err instanceof ScramError)) throw err
    if (err.kind === 'syntax') throw malformed()
    return failAuth(session, user, MECHANISM)
  }
  const { account } = exchange
  if (account === undefined) return failAuth(session, user, MECHANISM)
  challenge(session, { kind: 'scram-done', account }, b64(serverFinal))
}

/** RFC 4954 4: the empty response to the server's final data completes the login. */
export function scramDone(
  session: SmtpSession,
  exchange: Extract<SaslExchange, { kind: 'scram-done' }>,
  response: string,
): void {
  if (response !== '') throw malformed()
  succeedAuth(session, exchange.account, MECHANISM)
}

/** After a password login: stores the account's SCRAM secret if it has no valid one. */
export async function keepScramSecret(
  session: SmtpSession,
  account: Account,
  password: string,
): Promise<void> {
  const { store, logger } = session.deps
  try {
    if ((await store.scram.get(account.id)) !== undefined) return
    const secret = formatScramSecret(deriveScramSecret(password))
    await store.scram.set(account.address, { passwordHash: account.passwordHash, secret })
  } catch (err) {
    // The login itself succeeded; SCRAM for this account waits for the next one.
    logger.warn({ event: 'smtp.scram-store-failed', err, ...session.logFields() })
  }
}

function parseOrRefuse<T>(parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof ScramError) throw malformed()
    throw err
  }
}

function malformed(): SmtpReplyError {
  return new SmtpReplyError(C501ParamSyntax, Es552SyntaxError, 'malformed SCRAM message')
}

/** A secret no password matches, with a salt that stays the same for the same name. */
function madeUpSecret(user: string): ScramSecret {
  const salt = createHmac('sha256', FAKE_SALT_KEY).update(user).digest().subarray(0, 16)
  return {
    iterations: SCRAM_ITERATIONS,
    salt,
    storedKey: randomBytes(32),
    serverKey: randomBytes(32),
  }
}
