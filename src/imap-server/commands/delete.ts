// DELETE (RFC 9051 6.3.5): removes a mailbox of the session's account and its messages; INBOX
// and mailboxes with inferiors are refused ([CANNOT], [HASCHILDREN]).
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'

export const del: CommandSpec<'delete'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    const account = session.account()
    if (session.state.kind === 'selected' && session.state.mailbox.name === command.args.mailbox) {
      session.unselect()
    }
    await session.deps.store.mailboxes.delete(account.id, command.args.mailbox)
    return undefined
  },
}
