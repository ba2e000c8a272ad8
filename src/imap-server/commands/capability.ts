// CAPABILITY (RFC 9051 6.1.1): lists what this server does for the current state and
// connection: STARTTLS and LOGINDISABLED before TLS, AUTH= mechanisms only where logging in is
// allowed, and only the extensions implemented here (ImapSession.capabilities).
import { atom, untagged } from '../../imap/response.ts'
import { ANY, type CommandSpec } from '../command-spec.ts'

export const capability: CommandSpec<'capability'> = {
  states: ANY,
  async run(session) {
    await session.send(untagged(atom('CAPABILITY'), ...session.capabilities().map(atom)))
    return undefined
  },
}
