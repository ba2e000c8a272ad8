// FETCH and UID FETCH (RFC 9051 6.4.5, 6.4.9) with CONDSTORE's CHANGEDSINCE and MODSEQ
// (RFC 7162 3.1.4) and QRESYNC's VANISHED (RFC 7162 3.2.6). Messages are read in one range
// query; items come from fetch-items.ts. Reading a body without .PEEK sets \Seen (durably,
// before the response) and the FETCH response then carries FLAGS.
import type { FetchAttribute, FetchArgs } from '../../imap/commands/fetch.ts'
import { atom, list, num, untagged } from '../../imap/response.ts'
import { formatSequenceSet, resolveSequenceSet } from '../../imap/sequence-set.ts'
import type { MessageRow } from '../../store/types.ts'
import { SELECTED, type CommandOf, type CommandSpec } from '../command-spec.ts'
import { fetchItems, setsSeen } from '../fetch-items.ts'
import type { ImapSession } from '../session.ts'

export const fetch: CommandSpec<'fetch'> = {
  states: SELECTED,
  canExpunge: false, // RFC 9051 7.4.1
  run: runFetch,
}

export const uidFetch: CommandSpec<'uid-fetch'> = {
  states: SELECTED,
  run: runFetch,
}

async function runFetch(
  session: ImapSession,
  command: CommandOf<'fetch'> | CommandOf<'uid-fetch'>,
): Promise<undefined> {
  const { mailbox: view, readOnly } = session.selected()
  const { store } = session.deps
  const args = command.args
  const attrs = withImpliedItems(session, args, command.isUid)
  if (args.isVanished && args.changedSince !== undefined) {
    await sendVanished(session, args, args.changedSince)
  }
  const uids = view.resolve(args.sequenceSet, { isUid: command.isUid, saved: session.savedSearch })
  const first = uids[0]
  const last = uids[uids.length - 1]
  if (first === undefined || last === undefined) return undefined
  const wanted = new Set(uids)
  let rows = (await store.messages.listRange(view.id, { from: first, to: last })).filter((r) =>
    wanted.has(r.uid),
  )
  const since = args.changedSince
  if (since !== undefined) rows = rows.filter((r) => BigInt(r.modseq) > since) // RFC 7162 3.1.4.1
  const seenNow = !readOnly && attrs.some(setsSeen) ? await markSeen(session, rows) : new Set()
  const ctx = { store, mailboxId: view.id, isUtf8: session.isUtf8 }
  for (const row of rows) {
    const seq = view.seqOf(row.uid)
    if (seq === 0) continue
    const rowAttrs: FetchAttribute[] =
      seenNow.has(row.uid) && !attrs.some((a) => a.kind === 'flags')
        ? [...attrs, { kind: 'flags' }]
        : attrs
    const items = await fetchItems(ctx, row, rowAttrs)
    await session.send(untagged(num(seq), atom('FETCH'), list(items)))
  }
  return undefined
}

/** RFC 9051 6.4.9: UID FETCH always returns UID; RFC 7162 3.1.4.1: CHANGEDSINCE implies MODSEQ. */
function withImpliedItems(session: ImapSession, args: FetchArgs, isUid: boolean): FetchAttribute[] {
  const attrs = [...args.attributes]
  if (isUid && !attrs.some((a) => a.kind === 'uid')) attrs.unshift({ kind: 'uid' })
  const wantsModseq = args.changedSince !== undefined || attrs.some((a) => a.kind === 'modseq')
  if (wantsModseq) session.enabled.condstore = true // RFC 7162 3.1: CONDSTORE enabling commands
  if (args.changedSince !== undefined && !attrs.some((a) => a.kind === 'modseq')) {
    attrs.push({ kind: 'modseq' })
  }
  return attrs
}

/** Sets \Seen on the rows without it; updates the rows; returns the UIDs changed. */
async function markSeen(session: ImapSession, rows: MessageRow[]): Promise<Set<number>> {
  const { mailbox: view } = session.selected()
  const unseen = rows.filter((r) => !r.flags.includes('\\Seen')).map((r) => r.uid)
  if (unseen.length === 0) return new Set()
  const result = await session.deps.store.messages.updateFlags({
    mailboxId: view.id,
    uids: unseen,
    mode: 'add',
    flags: ['\\Seen'],
  })
  view.forgetOwnFlags(result.messages)
  const byUid = new Map(result.messages.map((m) => [m.uid, m]))
  for (const row of rows) {
    const state = byUid.get(row.uid)
    if (state === undefined) continue
    row.flags = state.flags
    row.modseq = state.modseq
  }
  return new Set(result.messages.filter((m) => m.changed).map((m) => m.uid))
}

/** RFC 7162 3.2.6: UIDs of the set expunged since the MODSEQ, as VANISHED (EARLIER). */
async function sendVanished(session: ImapSession, args: FetchArgs, since: bigint): Promise<void> {
  const view = session.selected().mailbox
  const { vanished } = await session.deps.store.messages.changesSince(view.id, Number(since))
  if (vanished.length === 0 || args.sequenceSet.kind !== 'ranges') return
  const max = Math.max(view.lastUid, ...vanished)
  const ranges = resolveSequenceSet(args.sequenceSet, { max })
  const inSet = vanished.filter((u) => ranges.some(([lo, hi]) => u >= lo && u <= hi))
  if (inSet.length === 0) return
  const set = formatSequenceSet(inSet)
  await session.send(untagged(atom('VANISHED'), list([atom('EARLIER')]), atom(set)))
}
