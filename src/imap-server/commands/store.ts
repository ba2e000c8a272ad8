// STORE and UID STORE (RFC 9051 6.4.6, 6.4.9) with UNCHANGEDSINCE (RFC 7162 3.1.3): replaces,
// adds or removes flags, durably before the response; an untagged FETCH with the new FLAGS
// for each message unless .SILENT (with UID for UID STORE, MODSEQ with CONDSTORE), and
// [MODIFIED set] for the messages UNCHANGEDSINCE kept unchanged.
import { ProtocolNo } from '../../imap/errors.ts'
import { atom, code, list, num, untagged } from '../../imap/response.ts'
import { formatSequenceSet } from '../../imap/sequence-set.ts'
import { SELECTED, type CommandOf, type CommandResult, type CommandSpec } from '../command-spec.ts'
import type { ImapSession } from '../session.ts'

export const store: CommandSpec<'store'> = {
  states: SELECTED,
  canExpunge: false, // RFC 9051 7.4.1
  run: runStore,
}

export const uidStore: CommandSpec<'uid-store'> = {
  states: SELECTED,
  run: runStore,
}

async function runStore(
  session: ImapSession,
  command: CommandOf<'store'> | CommandOf<'uid-store'>,
): Promise<CommandResult | undefined> {
  const { mailbox: view, readOnly } = session.selected()
  if (readOnly) throw new ProtocolNo('READ-ONLY', 'mailbox is read-only')
  const args = command.args
  if (args.unchangedSince !== undefined) session.enabled.condstore = true // RFC 7162 3.1
  const uids = view.resolve(args.sequenceSet, { isUid: command.isUid, saved: session.savedSearch })
  if (uids.length === 0) return undefined
  const result = await session.deps.store.messages.updateFlags({
    mailboxId: view.id,
    uids,
    mode: args.operation,
    flags: args.flags,
    ...(args.unchangedSince === undefined ? {} : { unchangedSince: Number(args.unchangedSince) }),
  })
  view.forgetOwnFlags(result.messages)
  if (args.operation !== 'remove' && session.deps.junkTrainer !== undefined) {
    await session.deps.junkTrainer.onUserFlags({
      accountId: session.account().id,
      mailboxId: view.id,
      uids: result.messages.filter((m) => m.changed).map((m) => m.uid),
      flags: args.flags,
    })
  }
  const isCondstore = session.enabled.condstore
  for (const m of result.messages) {
    const seq = view.seqOf(m.uid)
    if (seq === 0) continue
    // RFC 7162 3.1.3: with UNCHANGEDSINCE, .SILENT still reports MODSEQ of changed messages.
    if (args.isSilent && !(args.unchangedSince !== undefined && m.changed)) continue
    const items = args.isSilent ? [] : [atom('FLAGS'), list(m.flags.map(atom))]
    if (command.isUid) items.unshift(atom('UID'), num(m.uid))
    if (isCondstore) items.push(atom('MODSEQ'), list([num(m.modseq)]))
    await session.send(untagged(num(seq), atom('FETCH'), list(items)))
  }
  if (result.modified.length > 0) {
    const set = command.isUid
      ? formatSequenceSet(result.modified)
      : formatSequenceSet(result.modified.map((u) => view.seqOf(u)).filter((n) => n > 0))
    return { code: code.modified(set), text: 'conditional STORE failed' }
  }
  return undefined
}
