// SORT and UID SORT (RFC 5256 3, with RFC 5957 DISPLAYFROM/DISPLAYTO): the messages matching
// SEARCH criteria, ordered by the sort criteria, as "* SORT" with sequence numbers or UIDs.
// The charset is checked by the parser (UTF-8 and US-ASCII; others NO [BADCHARSET]).
import { atom, num, untagged } from '../../imap/response.ts'
import { sortByCriteria } from '../../mail/sort-keys.ts'
import { SELECTED, type CommandOf, type CommandSpec } from '../command-spec.ts'
import type { ImapSession } from '../session.ts'
import { loadSortFacts } from '../sort-facts.ts'

export const sort: CommandSpec<'sort'> = {
  states: SELECTED,
  canExpunge: false, // sequence numbers, as SEARCH (RFC 9051 7.4.1)
  run: runSort,
}

export const uidSort: CommandSpec<'uid-sort'> = { states: SELECTED, run: runSort }

async function runSort(
  session: ImapSession,
  command: CommandOf<'sort'> | CommandOf<'uid-sort'>,
): Promise<undefined> {
  const items = await loadSortFacts(session, command.args.search)
  const sorted = sortByCriteria(items, command.args.criteria)
  // RFC 5256 4: "* SORT" followed by the numbers, none when nothing matched.
  const numbers = sorted.map((m) => num(command.isUid ? m.uid : m.seq))
  await session.send(untagged(atom('SORT'), ...numbers))
  return undefined
}
