// ID (RFC 2971): the client's identification is logged; the server answers with its name.
import { list, str, untagged, atom } from '../../imap/response.ts'
import { ANY, type CommandSpec } from '../command-spec.ts'

export const id: CommandSpec<'id'> = {
  states: ANY,
  async run(session, command) {
    const params = command.args.params
    if (params !== null) {
      session.deps.logger.info({
        event: 'imap.client-id',
        client: Object.fromEntries(params.slice(0, 30)),
        ...session.logFields(),
      })
    }
    // RFC 2971 3.2: the server's own field/value pairs.
    await session.send(untagged(atom('ID'), list([str('name'), str('Postern')])))
    return undefined
  },
}
