// THREAD and UID THREAD (RFC 5256 3, 4): the messages matching SEARCH criteria, threaded by
// ORDEREDSUBJECT or REFERENCES, as "* THREAD (1 2)(3 (4)(5))" with sequence numbers or UIDs
// (RFC 5256 5 thread-list). The charset is checked by the parser.
import { atom, untagged } from '../../imap/response.ts'
import { formatThreads, threadOrderedSubject, threadReferences } from '../../mail/thread.ts'
import { SELECTED, type CommandOf, type CommandSpec } from '../command-spec.ts'
import type { ImapSession } from '../session.ts'
import { loadSortFacts } from '../sort-facts.ts'

export const thread: CommandSpec<'thread'> = {
  states: SELECTED,
  canExpunge: false, // sequence numbers, as SEARCH (RFC 9051 7.4.1)
  run: runThread,
}

export const uidThread: CommandSpec<'uid-thread'> = { states: SELECTED, run: runThread }

async function runThread(
  session: ImapSession,
  command: CommandOf<'thread'> | CommandOf<'uid-thread'>,
): Promise<undefined> {
  const messages = await loadSortFacts(session, command.args.search)
  const items = messages.map((m) => ({ id: command.isUid ? m.uid : m.seq, facts: m.facts }))
  const threads =
    command.args.algorithm === 'REFERENCES' ? threadReferences(items) : threadOrderedSubject(items)
  const text = formatThreads(threads)
  await session.send(text === '' ? untagged(atom('THREAD')) : untagged(atom('THREAD'), atom(text)))
  return undefined
}
