// NAMESPACE (RFC 2342, RFC 9051 6.3.10): one personal namespace, no prefix, "/" as the
// hierarchy delimiter; no other users' or shared namespaces.
import { atom, list, nil, str, untagged } from '../../imap/response.ts'
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'

export const namespace: CommandSpec<'namespace'> = {
  states: AUTHENTICATED,
  async run(session) {
    const personal = list([list([str(''), str('/')])])
    await session.send(untagged(atom('NAMESPACE'), personal, nil, nil))
    return undefined
  },
}
