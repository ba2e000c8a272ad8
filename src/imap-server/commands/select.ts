// SELECT and EXAMINE (RFC 9051 6.3.2, 6.3.3) with CONDSTORE (RFC 7162 3.1.8) and QRESYNC
// (RFC 7162 3.2.5): loads the message sequence number map, starts watching the mailbox's
// changes and reports FLAGS, EXISTS, UIDVALIDITY, UIDNEXT, PERMANENTFLAGS and HIGHESTMODSEQ.
// With QRESYNC and a matching UIDVALIDITY, what changed since the client's MODSEQ follows as
// VANISHED (EARLIER) and FETCH responses.
import { ProtocolBad, ProtocolNo } from '../../imap/errors.ts'
import type { SelectArgs } from '../../imap/commands/select.ts'
import {
  atom,
  code,
  list,
  mailbox as mailboxToken,
  num,
  status,
  str,
  untagged,
} from '../../imap/response.ts'
import { formatSequenceSet, resolveSequenceSet } from '../../imap/sequence-set.ts'
import type { MailboxStatus } from '../../store/types.ts'
import { AUTHENTICATED, type CommandResult, type CommandSpec } from '../command-spec.ts'
import { SelectedMailbox } from '../selected-mailbox.ts'
import type { ImapSession } from '../session.ts'
import { mailboxAttributes } from './list.ts'

/** RFC 9051 2.3.2: the system flags. */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft']

export const select: CommandSpec<'select'> = {
  states: AUTHENTICATED,
  run: (session, command) => open(session, command.args, false),
}

export const examine: CommandSpec<'examine'> = {
  states: AUTHENTICATED,
  run: (session, command) => open(session, command.args, true),
}

async function open(
  session: ImapSession,
  args: SelectArgs,
  readOnly: boolean,
): Promise<CommandResult> {
  const account = session.account()
  if (args.qresync !== undefined && !session.enabled.qresync) {
    throw new ProtocolBad('QRESYNC is not enabled') // RFC 7162 3.2.5
  }
  if (session.state.kind === 'selected') {
    session.unselect()
    // RFC 7162 3.2.11: with QRESYNC, the end of the old mailbox's responses is marked.
    if (session.enabled.qresync)
      await session.send(status('*', 'OK', 'previous mailbox closed', 'CLOSED'))
  }
  if (args.isCondstore) session.enabled.condstore = true // RFC 7162 3.1.8
  const { store } = session.deps
  const box = await store.mailboxes.status(account.id, args.mailbox)
  if (box === undefined) throw new ProtocolNo('NONEXISTENT', 'no such mailbox')
  const uids = await store.messages.uids(box.id)
  const view = new SelectedMailbox({
    id: box.id,
    name: box.name,
    uidValidity: box.uidValidity,
    uids,
    highestModseq: box.highestModseq,
  })
  session.select(view, readOnly)
  await sendSelectData(session, box, view, readOnly)
  if (args.qresync !== undefined && args.qresync.uidValidity === box.uidValidity) {
    await resync(session, view, args.qresync)
  }
  return {
    code: readOnly ? code.readOnly : code.readWrite,
    text: `${readOnly ? 'EXAMINE' : 'SELECT'} completed`,
  }
}

async function sendSelectData(
  session: ImapSession,
  box: MailboxStatus,
  view: SelectedMailbox,
  readOnly: boolean,
): Promise<void> {
  await session.send(untagged(atom('FLAGS'), list(SYSTEM_FLAGS.map(atom))))
  const permanent = readOnly ? [] : [...SYSTEM_FLAGS, '\\*']
  await session.send(status('*', 'OK', 'flags permitted', code.permanentFlags(permanent)))
  await session.send(untagged(num(view.exists), atom('EXISTS')))
  if (!session.enabled.imap4rev2) await session.send(untagged(num(0), atom('RECENT'))) // RFC 3501
  await session.send(status('*', 'OK', 'UIDs valid', code.uidValidity(box.uidValidity)))
  await session.send(status('*', 'OK', 'predicted next UID', code.uidNext(box.uidNext)))
  // RFC 7162 3.1.2.1: the mailbox's HIGHESTMODSEQ on every SELECT/EXAMINE.
  await session.send(status('*', 'OK', 'highest', code.highestModSeq(box.highestModseq)))
  if (session.enabled.imap4rev2) {
    // RFC 9051 6.3.2: a LIST response with the mailbox name (and its attributes).
    const all = await session.deps.store.mailboxes.list(session.account().id)
    const attrs = mailboxAttributes(box, all)
    await session.send(
      untagged(
        atom('LIST'),
        list(attrs.map(atom)),
        str('/'),
        mailboxToken(box.name, { isUtf8: true }),
      ),
    )
  }
}

/** RFC 7162 3.2.5.2: VANISHED (EARLIER) for expunges, FETCH for changes since the MODSEQ. */
async function resync(
  session: ImapSession,
  view: SelectedMailbox,
  q: NonNullable<SelectArgs['qresync']>,
): Promise<void> {
  const changes = await session.deps.store.messages.changesSince(view.id, Number(q.modSeq))
  let vanished = changes.vanished
  if (q.knownUids !== undefined) {
    const known = resolveSequenceSet(q.knownUids, { max: Math.max(view.lastUid, ...vanished, 0) })
    vanished = vanished.filter((u) => known.some(([lo, hi]) => u >= lo && u <= hi))
  }
  if (vanished.length > 0) {
    await session.send(
      untagged(atom('VANISHED'), list([atom('EARLIER')]), atom(formatSequenceSet(vanished))),
    )
  }
  for (const row of changes.changed) {
    const seq = view.seqOf(row.uid)
    if (seq === 0) continue
    const items = [atom('UID'), num(row.uid), atom('FLAGS'), list(row.flags.map(atom))]
    items.push(atom('MODSEQ'), list([num(row.modseq)]))
    await session.send(untagged(num(seq), atom('FETCH'), list(items)))
  }
}
