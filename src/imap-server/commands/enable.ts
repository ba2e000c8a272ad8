// ENABLE (RFC 5161, RFC 9051 6.3.1): turns on CONDSTORE (RFC 7162 3.1), QRESYNC (RFC 7162 3.2,
// which implies CONDSTORE), UTF8=ACCEPT (RFC 6855 3) and IMAP4rev2 (RFC 9051 2.1) for the rest
// of the session; "* ENABLED" lists those newly enabled; unknown names are ignored.
import { atom, untagged } from '../../imap/response.ts'
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'

export const enable: CommandSpec<'enable'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    const on: string[] = []
    const e = session.enabled
    for (const name of command.args.capabilities) {
      if (name === 'CONDSTORE' && !e.condstore) {
        e.condstore = true
        on.push(name)
      } else if (name === 'QRESYNC' && !e.qresync) {
        e.qresync = true
        e.condstore = true
        on.push(name)
      } else if (name === 'UTF8=ACCEPT' && !e.utf8) {
        e.utf8 = true
        on.push(name)
      } else if (name === 'IMAP4REV2' && !e.imap4rev2) {
        e.imap4rev2 = true
        on.push('IMAP4rev2')
      }
    }
    await session.send(untagged(atom('ENABLED'), ...on.map(atom)))
    return undefined
  },
}
