// What SORT and THREAD (RFC 5256) need of the selected mailbox's messages: the SEARCH result
// (RFC 5256 3: the search criteria are SEARCH's, evaluated by search-eval.ts), each message's
// row (internal date, RFC822.SIZE) and the sort facts of its header block. Only the header is
// read (a first small piece, a larger one when the header is longer) and parsed; facts are
// cached per store in an LRU keyed by mailbox, UIDVALIDITY and UID, which never name
// different messages (unlike row and blob ids).
import type { SearchKey } from '../imap/commands/search.ts'
import { parseHeaderBlock } from '../mail/header-fields.ts'
import { sortFacts, type SortFacts } from '../mail/sort-keys.ts'
import type { MessageRow, Store } from '../store/types.ts'
import { searchUids } from './search-eval.ts'
import type { ImapSession } from './session.ts'

export interface FactsItem {
  uid: number
  seq: number
  facts: SortFacts
}

const FIRST_PIECE = 8 * 1024
const MAX_HEADER = 256 * 1024
const CACHE_ENTRIES = 100_000
const caches = new WeakMap<Store, Map<string, SortFacts>>()

function cacheFor(store: Store): Map<string, SortFacts> {
  let cache = caches.get(store)
  if (cache === undefined) {
    cache = new Map()
    caches.set(store, cache)
  }
  return cache
}

/** The messages matching `search`, in mailbox (sequence) order, with their sort facts. */
export async function loadSortFacts(session: ImapSession, search: SearchKey): Promise<FactsItem[]> {
  const { mailbox: view } = session.selected()
  const store = session.deps.store
  const uids = await searchUids(
    { store, view, saved: session.savedSearch, now: session.deps.clock() },
    search,
  )
  const first = uids[0]
  const last = uids[uids.length - 1]
  if (first === undefined || last === undefined) return []
  const rows = new Map<number, MessageRow>()
  for (const row of await store.messages.listRange(view.id, { from: first, to: last })) {
    rows.set(row.uid, row)
  }
  const cache = cacheFor(store)
  const out: FactsItem[] = []
  for (const uid of uids) {
    const row = rows.get(uid)
    if (row === undefined) continue // expunged meanwhile
    const key = `${String(view.id)}/${String(view.uidValidity)}/${String(uid)}`
    let facts = cache.get(key)
    if (facts === undefined) {
      facts = sortFacts(await readHeaderFields(store, view.id, uid), row)
      if (cache.size >= CACHE_ENTRIES) {
        const oldest = cache.keys().next()
        if (oldest.done !== true) cache.delete(oldest.value)
      }
    } else cache.delete(key) // re-inserted below: most recently used last
    cache.set(key, facts)
    out.push({ uid, seq: view.seqOf(uid), facts })
  }
  return out
}

async function readHeaderFields(
  store: Store,
  mailboxId: number,
  uid: number,
): Promise<ReturnType<typeof parseHeaderBlock>['fields']> {
  let length = FIRST_PIECE
  for (;;) {
    const piece = await store.messages.readBody({ mailboxId, uid, offset: 0, length })
    if (piece === undefined) return []
    const block = parseHeaderBlock(piece, 0, piece.length)
    // A header cut off by the piece's end is read again, larger, up to MAX_HEADER.
    if (block.hasBlankLine || piece.length < length || length >= MAX_HEADER) return block.fields
    length = Math.min(length * 8, MAX_HEADER)
  }
}
