// CLOSE (RFC 9051 6.4.1) and UNSELECT (RFC 3691, RFC 9051 6.4.2): back to the authenticated
// state. CLOSE first removes the \Deleted messages of a read-write mailbox, silently (no
// EXPUNGE responses); UNSELECT removes nothing.
import { SELECTED, type CommandSpec } from '../command-spec.ts'

export const close: CommandSpec<'close'> = {
  states: SELECTED,
  async run(session) {
    const { mailbox, readOnly } = session.selected()
    session.unselect()
    if (!readOnly) await session.deps.store.messages.expungeDeleted(mailbox.id)
    return undefined
  },
}

export const unselect: CommandSpec<'unselect'> = {
  states: SELECTED,
  run(session) {
    session.unselect()
    return undefined
  },
}
