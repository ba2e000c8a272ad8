// EXPUNGE (RFC 9051 6.4.3) and UID EXPUNGE (RFC 4315 2.1, RFC 9051 6.4.9): removes the
// \Deleted messages (of the UID set), durably before the response. The EXPUNGE (or VANISHED)
// responses are the queued changes the dispatcher writes before the tagged OK, so this
// session's and others' expunges are reported the same way.
import { ProtocolNo } from '../../imap/errors.ts'
import { SELECTED, type CommandSpec } from '../command-spec.ts'

export const expunge: CommandSpec<'expunge'> = {
  states: SELECTED,
  async run(session) {
    const { mailbox, readOnly } = session.selected()
    if (readOnly) throw new ProtocolNo('READ-ONLY', 'mailbox is read-only')
    await session.deps.store.messages.expungeDeleted(mailbox.id)
    return undefined
  },
}

export const uidExpunge: CommandSpec<'uid-expunge'> = {
  states: SELECTED,
  async run(session, command) {
    const { mailbox, readOnly } = session.selected()
    if (readOnly) throw new ProtocolNo('READ-ONLY', 'mailbox is read-only')
    const uids = mailbox.resolve(command.args.sequenceSet, {
      isUid: true,
      saved: session.savedSearch,
    })
    if (uids.length > 0) await session.deps.store.messages.expungeDeleted(mailbox.id, uids)
    return undefined
  },
}
