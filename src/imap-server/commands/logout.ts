// LOGOUT (RFC 9051 6.1.3): "* BYE", the tagged OK, then the server closes the connection.
import { status } from '../../imap/response.ts'
import { ANY, type CommandSpec } from '../command-spec.ts'

export const logout: CommandSpec<'logout'> = {
  states: ANY,
  async run(session) {
    session.unselect()
    await session.send(status('*', 'BYE', 'logging out'))
    session.logoutAfterReply()
    return undefined
  },
}
