// LOGIN (RFC 9051 6.2.3): user name and password, refused with NO [PRIVACYREQUIRED] without TLS
// unless the client's network may log in in clear text (LOGINDISABLED is then advertised).
// A successful login answers with the new capabilities (RFC 9051 6.2.3, 7.1).
import { verifyPassword } from '../../auth/password.ts'
import { ProtocolNo } from '../../imap/errors.ts'
import { code } from '../../imap/response.ts'
import { NOT_AUTHENTICATED, type CommandResult, type CommandSpec } from '../command-spec.ts'
import type { ImapSession } from '../session.ts'

export const login: CommandSpec<'login'> = {
  states: NOT_AUTHENTICATED,
  async run(session, command) {
    requireLoginAllowed(session)
    return logInWithPassword(session, command.args.username, command.args.password)
  },
}

export function requireLoginAllowed(session: ImapSession): void {
  if (!session.canLogIn()) {
    throw new ProtocolNo('PRIVACYREQUIRED', 'use STARTTLS before logging in') // RFC 9051 7.1
  }
}

/** Checks the password against the account's hash; NO [AUTHENTICATIONFAILED] after a delay. */
export async function logInWithPassword(
  session: ImapSession,
  username: string,
  password: string,
): Promise<CommandResult> {
  const address = username.trim().toLowerCase()
  const account = await session.deps.store.accounts.get(address)
  const isValid = account !== undefined && (await verifyPassword(password, account.passwordHash))
  if (account === undefined || !isValid) return session.failLogin(address)
  session.logIn({ id: account.id, address: account.address })
  return { text: 'logged in', code: code.capability(session.capabilities()) }
}
