// CREATE (RFC 9051 6.3.4) with CREATE-SPECIAL-USE (RFC 6154 3): makes a mailbox of the
// session's own account (superior names too); names are names within the account only, so
// "../x" or "INBOX/../other" are refused as invalid or created as plain names, never resolved
// to another user's mailbox. A special-use attribute this server does not keep gives
// NO [USEATTR].
import { ProtocolNo } from '../../imap/errors.ts'
import type { SpecialUse } from '../../store/types.ts'
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'

const CREATABLE: readonly SpecialUse[] = ['\\Sent', '\\Drafts', '\\Junk', '\\Trash', '\\Archive']

export const create: CommandSpec<'create'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    const { mailbox, specialUse } = command.args
    if (mailbox === 'INBOX') throw new ProtocolNo('ALREADYEXISTS', 'INBOX always exists')
    if (specialUse.length > 1) throw new ProtocolNo('USEATTR', 'one special-use per mailbox')
    const use = specialUse[0]
    const special = CREATABLE.find((s) => s === use)
    if (use !== undefined && special === undefined) {
      throw new ProtocolNo('USEATTR', `special-use ${use} is not supported`) // RFC 6154 3
    }
    await session.deps.store.mailboxes.create({
      accountId: session.account().id,
      name: mailbox,
      specialUse: special ?? null,
    })
    return undefined
  },
}
