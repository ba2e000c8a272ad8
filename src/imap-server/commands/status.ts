// STATUS (RFC 9051 6.3.11) with SIZE (RFC 8438), HIGHESTMODSEQ (RFC 7162 3.1.6) and RECENT
// (RFC 3501, always 0 here): counters of a mailbox of the session's account.
import { ProtocolNo } from '../../imap/errors.ts'
import type { StatusItem } from '../../imap/commands/status.ts'
import { atom, list, mailbox, num, untagged, type Token } from '../../imap/response.ts'
import type { MailboxStatus } from '../../store/types.ts'
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'
import type { ImapSession } from '../session.ts'

export const status: CommandSpec<'status'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    const { store } = session.deps
    const box = await store.mailboxes.status(session.account().id, command.args.mailbox)
    if (box === undefined) throw new ProtocolNo('NONEXISTENT', 'no such mailbox')
    await sendStatus(session, box, command.args.items)
    return undefined
  },
}

/** `* STATUS name (item value ...)`; also LIST-STATUS's responses (RFC 5819). */
export async function sendStatus(
  session: ImapSession,
  box: MailboxStatus,
  items: readonly StatusItem[],
): Promise<void> {
  const values: Token[] = []
  for (const item of items) values.push(atom(item), num(statusValue(box, item)))
  await session.send(
    untagged(atom('STATUS'), mailbox(box.name, { isUtf8: session.isUtf8 }), list(values)),
  )
}

function statusValue(box: MailboxStatus, item: StatusItem): number {
  switch (item) {
    case 'MESSAGES':
      return box.messageCount
    case 'UIDNEXT':
      return box.uidNext
    case 'UIDVALIDITY':
      return box.uidValidity
    case 'UNSEEN':
      return box.unseenCount
    case 'DELETED':
      return box.deletedCount
    case 'SIZE':
      return box.totalBytes // RFC 8438
    case 'RECENT':
      return 0
    case 'HIGHESTMODSEQ':
      return box.highestModseq
  }
}
