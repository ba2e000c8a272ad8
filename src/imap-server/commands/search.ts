// SEARCH and UID SEARCH (RFC 9051 6.4.4, 6.4.9) with ESEARCH's RETURN (MIN MAX COUNT ALL)
// (RFC 4731, RFC 9051 7.3.4), SEARCHRES's SAVE (RFC 5182) and CONDSTORE's MODSEQ key
// (RFC 7162 3.1.5). IMAP4rev1 clients that ask for no RETURN get "* SEARCH"; with RETURN or
// once IMAP4rev2 is enabled the answer is "* ESEARCH".
import type { SearchArgs, SearchKey, SearchReturnOption } from '../../imap/commands/search.ts'
import { atom, list, num, str, untagged, type Token } from '../../imap/response.ts'
import { formatSequenceSet } from '../../imap/sequence-set.ts'
import { SELECTED, type CommandOf, type CommandSpec } from '../command-spec.ts'
import { searchUids } from '../search-eval.ts'
import type { ImapSession } from '../session.ts'

export const search: CommandSpec<'search'> = {
  states: SELECTED,
  canExpunge: false, // RFC 9051 7.4.1
  run: runSearch,
}

export const uidSearch: CommandSpec<'uid-search'> = {
  states: SELECTED,
  run: runSearch,
}

async function runSearch(
  session: ImapSession,
  command: CommandOf<'search'> | CommandOf<'uid-search'>,
): Promise<undefined> {
  const { mailbox: view } = session.selected()
  const args = command.args
  const usesModseq = hasModseq(args.criteria)
  if (usesModseq) session.enabled.condstore = true // RFC 7162 3.1
  const uids = await searchUids(
    {
      store: session.deps.store,
      view,
      saved: session.savedSearch,
      now: session.deps.clock(),
    },
    args.criteria,
  )
  const numbers = command.isUid ? uids : uids.map((u) => view.seqOf(u))
  const modseq = usesModseq ? await highestModseq(session, uids) : undefined
  const options = args.returnOptions ?? (session.enabled.imap4rev2 ? ['ALL'] : undefined)
  if (options === undefined) {
    const tokens: Token[] = [atom('SEARCH'), ...numbers.map((n) => num(n))]
    // RFC 7162 3.1.5: the highest MODSEQ of the messages found.
    if (modseq !== undefined) tokens.push(list([atom('MODSEQ'), num(modseq)]))
    await session.send(untagged(...tokens))
    return undefined
  }
  if (options.includes('SAVE')) session.savedSearch = savedResult(uids, options)
  const reported = options.filter((o) => o !== 'SAVE')
  // RFC 5182 2.4: SAVE alone gives no ESEARCH response.
  if (reported.length === 0 && args.returnOptions !== undefined) return undefined
  await sendEsearch(session, { tag: command.tag, isUid: command.isUid, numbers, reported, modseq })
  return undefined
}

async function sendEsearch(
  session: ImapSession,
  r: {
    tag: string
    isUid: boolean
    numbers: number[]
    reported: SearchReturnOption[]
    modseq: number | undefined
  },
): Promise<void> {
  // RFC 4731 3.1 / RFC 9051 7.3.4: * ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [ALL set] [COUNT n]
  const tokens: Token[] = [atom('ESEARCH'), list([atom('TAG'), str(r.tag)])]
  if (r.isUid) tokens.push(atom('UID'))
  const first = r.numbers[0]
  const last = r.numbers[r.numbers.length - 1]
  for (const option of r.reported) {
    if (option === 'MIN' && first !== undefined) tokens.push(atom('MIN'), num(first))
    if (option === 'MAX' && last !== undefined) tokens.push(atom('MAX'), num(last))
    if (option === 'COUNT') tokens.push(atom('COUNT'), num(r.numbers.length))
    if (option === 'ALL' && r.numbers.length > 0) {
      tokens.push(atom('ALL'), atom(formatSequenceSet(r.numbers)))
    }
  }
  if (r.modseq !== undefined && r.numbers.length > 0) tokens.push(atom('MODSEQ'), num(r.modseq))
  await session.send(untagged(...tokens))
}

/** RFC 5182 2.4: with MIN and/or MAX only, just those are saved; otherwise every match. */
function savedResult(uids: number[], options: SearchReturnOption[]): number[] {
  if (options.includes('ALL') || options.includes('COUNT')) return uids
  const out: number[] = []
  const first = uids[0]
  const last = uids[uids.length - 1]
  if (options.includes('MIN') && first !== undefined) out.push(first)
  if (options.includes('MAX') && last !== undefined && last !== first) out.push(last)
  return options.includes('MIN') || options.includes('MAX') ? out : uids
}

function hasModseq(key: SearchKey): boolean {
  switch (key.kind) {
    case 'modseq':
      return true
    case 'not':
      return hasModseq(key.key)
    case 'or':
      return hasModseq(key.left) || hasModseq(key.right)
    case 'and':
      return key.keys.some(hasModseq)
    case 'age':
    case 'all':
    case 'body':
    case 'date':
    case 'flag':
    case 'header':
    case 'recent':
    case 'sequence':
    case 'size':
    case 'text':
    case 'uid':
      return false
  }
}

async function highestModseq(session: ImapSession, uids: number[]): Promise<number | undefined> {
  const first = uids[0]
  const last = uids[uids.length - 1]
  if (first === undefined || last === undefined) return undefined
  const view = session.selected().mailbox
  const wanted = new Set(uids)
  const rows = await session.deps.store.messages.listRange(view.id, { from: first, to: last })
  return rows.filter((r) => wanted.has(r.uid)).reduce((m, r) => Math.max(m, r.modseq), 0)
}

export type { SearchArgs }
