// IDLE (RFC 2177, RFC 9051 6.3.13): "+ idling", then changes to the selected mailbox are sent
// as they are committed (the session writes them from the change feed at once) until the
// client sends DONE; the tagged OK follows.
import { continuation } from '../../imap/response.ts'
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'

export const idle: CommandSpec<'idle'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    await session.flushUpdates({ canExpunge: true })
    await session.send(continuation('idling'))
    session.startIdle(command.tag)
    return { isDeferred: true }
  },
}
