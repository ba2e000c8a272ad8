// AUTHENTICATE (RFC 9051 6.2.2) with SASL PLAIN (RFC 4616) and LOGIN, and SASL-IR (RFC 4959):
// an initial response completes at once; otherwise "+ challenge" and the client's next line
// (read raw by the session) continues the exchange, "*" cancelling it with BAD.
import { decodeSaslLine } from '../../imap/commands/authenticate.ts'
import { ProtocolBad, ProtocolNo } from '../../imap/errors.ts'
import { continuationBase64 } from '../../imap/response.ts'
import { NOT_AUTHENTICATED, type CommandResult, type CommandSpec } from '../command-spec.ts'
import type { ImapSession } from '../session.ts'
import type { SaslExchange } from '../session-state.ts'
import { logInWithPassword, requireLoginAllowed } from './login.ts'

const USERNAME_PROMPT = Buffer.from('Username:')
const PASSWORD_PROMPT = Buffer.from('Password:')

export const authenticate: CommandSpec<'authenticate'> = {
  states: NOT_AUTHENTICATED,
  async run(session, command) {
    const { mechanism, initialResponse } = command.args
    if (mechanism !== 'PLAIN' && mechanism !== 'LOGIN') {
      throw new ProtocolNo('CANNOT', `mechanism ${mechanism} is not supported`)
    }
    requireLoginAllowed(session)
    const tag = command.tag
    if (mechanism === 'PLAIN') {
      if (initialResponse !== undefined) return logInPlain(session, initialResponse)
      return challenge(session, { kind: 'plain', tag }, Buffer.alloc(0))
    }
    if (initialResponse === undefined) {
      return challenge(session, { kind: 'login-user', tag }, USERNAME_PROMPT)
    }
    const user = initialResponse.toString('utf8')
    return challenge(session, { kind: 'login-password', tag, user }, PASSWORD_PROMPT)
  },
}

async function challenge(
  session: ImapSession,
  exchange: SaslExchange,
  text: Buffer,
): Promise<CommandResult> {
  await session.send(continuationBase64(text))
  session.continueSaslWith(exchange)
  return { isDeferred: true }
}

/** The client's line after a challenge (RFC 9051 6.2.2). */
export async function continueSasl(
  session: ImapSession,
  exchange: SaslExchange,
  line: string,
): Promise<CommandResult> {
  const response = decodeSaslLine(line)
  if (response === 'cancel') throw new ProtocolBad('authentication cancelled') // RFC 9051 6.2.2
  switch (exchange.kind) {
    case 'plain':
      return logInPlain(session, response)
    case 'login-user':
      return challenge(
        session,
        { kind: 'login-password', tag: exchange.tag, user: response.toString('utf8') },
        PASSWORD_PROMPT,
      )
    case 'login-password':
      return logInWithPassword(session, exchange.user, response.toString('utf8'))
  }
}

/** RFC 4616 2: message = [authzid] NUL authcid NUL passwd. */
async function logInPlain(session: ImapSession, message: Buffer): Promise<CommandResult> {
  const parts = message.toString('utf8').split('\0')
  const [authzid, user, password] = parts
  if (parts.length !== 3 || authzid === undefined || user === undefined || password === undefined) {
    throw new ProtocolBad('PLAIN message must be authzid NUL user NUL password')
  }
  // Acting as another user (authzid) is not supported: it must name the same user.
  if (authzid !== '' && authzid.toLowerCase() !== user.toLowerCase()) {
    return session.failLogin(user)
  }
  return logInWithPassword(session, user, password)
}
