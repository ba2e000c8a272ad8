// Evaluates a SEARCH program (RFC 9051 6.4.4) against the selected mailbox. TEXT, BODY and the
// header keys (FROM, TO, CC, BCC, SUBJECT, HEADER) go through the store's full-text index
// (searchText, SQLite FTS5 trigrams: case-insensitive substring matching); the rest
// is evaluated on the message rows (flags, dates, sizes, UIDs, MODSEQ) and, for the SENT*
// keys only, on each message's Date header. Each text criterion is one index query, so NOT
// and OR combine them like any other key.
import type { ImapDate } from '../imap/arg-cursor.ts'
import type { SearchKey } from '../imap/commands/search.ts'
import { resolveSequenceSet } from '../imap/sequence-set.ts'
import type { MessageRow, Store } from '../store/types.ts'
import type { SelectedMailbox } from './selected-mailbox.ts'

export interface SearchContext {
  store: Store
  view: SelectedMailbox
  saved: readonly number[]
  now: number
}

interface Prepared {
  text: Map<SearchKey, Set<number>>
  sentDates: Map<number, number | undefined>
  rows: Map<number, MessageRow>
}

/** UIDs of the view's messages matching the key, ascending. */
export async function searchUids(ctx: SearchContext, key: SearchKey): Promise<number[]> {
  const uids = ctx.view.allUids()
  const last = uids[uids.length - 1]
  if (last === undefined) return []
  const prepared: Prepared = { text: new Map(), sentDates: new Map(), rows: new Map() }
  const needs = { rows: false, sent: false }
  await collect(ctx, key, prepared, needs)
  if (needs.rows || needs.sent) {
    for (const row of await ctx.store.messages.listRange(ctx.view.id, { from: 1, to: last })) {
      prepared.rows.set(row.uid, row)
    }
  }
  if (needs.sent) await loadSentDates(ctx, prepared)
  const out: number[] = []
  uids.forEach((uid, i) => {
    if (matches(ctx, prepared, key, uid, i + 1)) out.push(uid)
  })
  return out
}

/** Runs the index queries and notes what else the keys need. */
async function collect(
  ctx: SearchContext,
  key: SearchKey,
  p: Prepared,
  needs: { rows: boolean; sent: boolean },
): Promise<void> {
  switch (key.kind) {
    case 'text':
    case 'body':
    case 'header': {
      const query =
        key.kind === 'header'
          ? { header: [[key.field, key.value] as const] }
          : key.kind === 'text'
            ? { text: key.value }
            : { body: key.value }
      p.text.set(key, new Set(await ctx.store.messages.searchText(ctx.view.id, query)))
      return
    }
    case 'not':
      await collect(ctx, key.key, p, needs)
      return
    case 'or':
      await collect(ctx, key.left, p, needs)
      await collect(ctx, key.right, p, needs)
      return
    case 'and':
      for (const k of key.keys) await collect(ctx, k, p, needs)
      return
    case 'date':
      needs.rows = true
      if (key.field === 'sent') needs.sent = true
      return
    case 'flag':
    case 'size':
    case 'modseq':
    case 'age':
      needs.rows = true
      return
    case 'all':
    case 'recent':
    case 'uid':
    case 'sequence':
      return
  }
}

function matches(
  ctx: SearchContext,
  p: Prepared,
  key: SearchKey,
  uid: number,
  seq: number,
): boolean {
  const row = p.rows.get(uid)
  switch (key.kind) {
    case 'all':
      return true
    case 'recent':
      return !key.isSet // no message is \Recent here (RFC 9051 dropped it)
    case 'text':
    case 'body':
    case 'header':
      return p.text.get(key)?.has(uid) ?? false
    case 'not':
      return !matches(ctx, p, key.key, uid, seq)
    case 'or':
      return matches(ctx, p, key.left, uid, seq) || matches(ctx, p, key.right, uid, seq)
    case 'and':
      return key.keys.every((k) => matches(ctx, p, k, uid, seq))
    case 'uid':
      return inSet(key.set, uid, ctx.view.lastUid, ctx.saved)
    case 'sequence': {
      const saved = ctx.saved.map((u) => ctx.view.seqOf(u)).filter((n) => n > 0)
      return inSet(key.set, seq, ctx.view.exists, saved)
    }
    case 'flag':
      return row !== undefined && hasFlag(row.flags, key.flag) === key.isSet
    case 'size':
      return row !== undefined && (key.op === 'larger' ? row.size > key.size : row.size < key.size)
    case 'modseq':
      return row !== undefined && BigInt(row.modseq) >= key.modSeq // RFC 7162 3.1.5
    case 'age': {
      if (row === undefined) return false
      const cut = ctx.now - key.seconds * 1000 // RFC 5032 3
      return key.op === 'older' ? row.internalDate <= cut : row.internalDate >= cut
    }
    case 'date': {
      const when = key.field === 'internal' ? row?.internalDate : p.sentDates.get(uid)
      return when !== undefined && compareDay(when, key.op, key.date)
    }
  }
}

function inSet(
  set: Parameters<typeof resolveSequenceSet>[0],
  n: number,
  max: number,
  saved: readonly number[],
): boolean {
  return resolveSequenceSet(set, { max, saved }).some(([lo, hi]) => n >= lo && n <= hi)
}

/** RFC 9051 2.3.2: flags and keywords compare case-insensitively. */
function hasFlag(flags: readonly string[], flag: string): boolean {
  const want = flag.toLowerCase()
  return flags.some((f) => f.toLowerCase() === want)
}

/** RFC 9051 6.4.4: dates compare by day, disregarding time and timezone. */
function compareDay(epochMs: number, op: 'before' | 'on' | 'since', date: ImapDate): boolean {
  const day = Date.UTC(date.year, date.month - 1, date.day)
  const d = new Date(epochMs)
  const its = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  if (op === 'before') return its < day
  if (op === 'on') return its === day
  return its >= day
}

const HEADER_PEEK_BYTES = 64 * 1024

/** SENTBEFORE/SENTON/SENTSINCE: the Date header of every message (RFC 9051 6.4.4). */
async function loadSentDates(ctx: SearchContext, p: Prepared): Promise<void> {
  for (const uid of ctx.view.allUids()) {
    const head = await ctx.store.messages.readBody({
      mailboxId: ctx.view.id,
      uid,
      offset: 0,
      length: HEADER_PEEK_BYTES,
    })
    p.sentDates.set(uid, head === undefined ? undefined : sentDate(head))
  }
}

function sentDate(head: Buffer): number | undefined {
  const text = head.toString('latin1')
  const end = text.search(/\r?\n\r?\n/)
  const header = end < 0 ? text : text.slice(0, end)
  const m = /(?:^|\n)date[ \t]*:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/i.exec(header)
  if (m === null) return undefined
  const value = (m[1] ?? '')
    .replace(/\r?\n/g, '')
    .replace(/\([^)]*\)/g, '')
    .trim()
  // RFC 9051 6.4.4: the date as written, disregarding time and timezone (RFC 5322 3.3).
  const d = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})/.exec(value)
  if (d === null) return undefined
  const month = MONTH_NAMES.indexOf((d[2] ?? '').toLowerCase())
  if (month < 0) return undefined
  let year = Number(d[3])
  if (year < 50)
    year += 2000 // RFC 5322 4.3: obsolete two-digit years
  else if (year < 1000) year += 1900
  return Date.UTC(year, month, Number(d[1]))
}

const MONTH_NAMES = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
]
