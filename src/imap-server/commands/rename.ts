// RENAME (RFC 9051 6.3.6): renames a mailbox of the session's account and its inferiors;
// renaming INBOX moves its messages to the new mailbox and leaves INBOX empty.
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'

export const rename: CommandSpec<'rename'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    const { from, to } = command.args
    await session.deps.store.mailboxes.rename(session.account().id, from, to)
    return undefined
  },
}
