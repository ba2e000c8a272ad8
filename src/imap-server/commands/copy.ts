// COPY and MOVE, and their UID forms (RFC 9051 6.4.7, 6.4.8, 6.4.9; MOVE RFC 6851; UIDPLUS
// RFC 4315 3): into a mailbox of the session's own account ([TRYCREATE] when it does not
// exist), durably before the response. COPY answers [COPYUID] in the tagged OK; MOVE sends it
// in an untagged OK before the EXPUNGE responses for the moved messages (RFC 6851 4.3), which
// the dispatcher writes from the queued changes.
import { ProtocolNo } from '../../imap/errors.ts'
import { code, status } from '../../imap/response.ts'
import { formatSequenceSet } from '../../imap/sequence-set.ts'
import { SELECTED, type CommandOf, type CommandResult, type CommandSpec } from '../command-spec.ts'
import type { ImapSession } from '../session.ts'

export const copy: CommandSpec<'copy'> = { states: SELECTED, run: (s, c) => transfer(s, c, false) }
export const uidCopy: CommandSpec<'uid-copy'> = {
  states: SELECTED,
  run: (s, c) => transfer(s, c, false),
}
export const move: CommandSpec<'move'> = { states: SELECTED, run: (s, c) => transfer(s, c, true) }
export const uidMove: CommandSpec<'uid-move'> = {
  states: SELECTED,
  run: (s, c) => transfer(s, c, true),
}

type TransferCommand =
  CommandOf<'copy'> | CommandOf<'uid-copy'> | CommandOf<'move'> | CommandOf<'uid-move'>

async function transfer(
  session: ImapSession,
  command: TransferCommand,
  isMove: boolean,
): Promise<CommandResult | undefined> {
  const { mailbox: view, readOnly } = session.selected()
  if (isMove && readOnly) throw new ProtocolNo('READ-ONLY', 'mailbox is read-only')
  const { store } = session.deps
  const target = await store.mailboxes.get(session.account().id, command.args.mailbox)
  if (target === undefined) throw new ProtocolNo('TRYCREATE', 'no such mailbox') // RFC 9051 6.4.7
  const uids = view.resolve(command.args.sequenceSet, {
    isUid: command.isUid,
    saved: session.savedSearch,
  })
  if (uids.length === 0) return { text: 'no messages' }
  const input = { mailboxId: view.id, uids, targetMailboxId: target.id }
  const result = isMove ? await store.messages.move(input) : await store.messages.copy(input)
  if (result.mapping.length === 0) return { text: 'no messages' }
  await session.deps.junkTrainer?.onUserMove({
    accountId: session.account().id,
    sourceMailboxId: view.id,
    targetMailboxId: target.id,
    targetUids: result.mapping.map(([, to]) => to),
  })
  const copyUid = code.copyUid(
    result.uidValidity,
    formatSequenceSet(
      result.mapping.map(([from]) => from),
      true,
    ),
    formatSequenceSet(
      result.mapping.map(([, to]) => to),
      true,
    ),
  )
  if (!isMove) return { code: copyUid }
  await session.send(status('*', 'OK', 'moved', copyUid)) // RFC 6851 4.3
  return undefined
}
