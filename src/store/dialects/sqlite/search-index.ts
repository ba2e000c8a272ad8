// The FTS5 full-text index on SQLite (table message_text, one row per message body, trigram
// tokenizer since migration 3, see migration-substring-search.ts): indexing a body inside the
// caller's transaction, indexing the bodies listed in message_text_pending, and SEARCH TEXT /
// BODY / HEADER for a mailbox. The text comes from extractSearchText (src/mail/search-text.ts),
// the one swappable extractor.
//
// Matching is by substring, case- and diacritic-insensitive (RFC 9051 6.4.4: "messages that
// contain the specified string"). A string of 3+ characters becomes an FTS5 phrase of
// trigrams (quoted, so never FTS5 syntax), which the index answers exactly: consecutive
// trigrams are a substring. What the trigrams cannot answer is checked on the extracted text
// of the candidates the MATCH left (all the mailbox's messages when nothing narrowed it):
// strings of 1 or 2 characters, and header criteria whose field has no column of its own
// (the index narrows them to messages with the name and value somewhere in the header; the
// check ties the value to that field). The check reads and re-extracts each candidate's body
// (about 25 us for a 4 KB message: a 2-character BODY over 10,000 messages takes ~260 ms,
// against 1-4 ms for 3+ characters) and yields to the event loop every RECHECK_BATCH bodies.
//
// Cost (2-core machine, 4 KB text messages): extraction plus the trigram insert take about
// 150 us of CPU per message, and FTS5 flushes its new terms into a segment at each COMMIT;
// the index holds about 5 KB per message. Done inside SMTP's accept transaction this cut
// acceptance by half or more (smtp-load, 10 sessions with connection reuse: about 1,900 ->
// 660 messages/s). So a delivered body is only listed in message_text_pending by the accept
// (defer) and indexed in the background, in batches, shortly after (open-sqlite-store.ts),
// as Dovecot's indexer does; a search indexes whatever is still pending first, so results
// are never stale. IMAP APPEND (rare, and often followed by a search) indexes at once.

import type { Database, Statement } from 'better-sqlite3'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { TextQuery } from '../../types.ts'
import {
  extractSearchText,
  foldForSearch,
  headerFields,
  type SearchText,
} from '../../../mail/search-text.ts'

type TextRow = [number, string, string, string, string, string, string, string]

/** SEARCH keys with a column of their own; other header names use the header column. */
const FIELD_COLUMNS = new Map([
  ['subject', 'subject'],
  ['from', 'from_'],
  ['to', 'to_'],
  ['cc', 'cc'],
  ['bcc', 'bcc'],
])

/** Bodies re-extracted between two turns of the event loop. */
const RECHECK_BATCH = 200

/** What a query asks of the index and of the candidates' text. */
export interface SearchPlan {
  /** FTS5 MATCH on the trigram index; undefined when it narrows nothing. */
  match: string | undefined
  /** Checks the index cannot make, on a candidate's extracted text; undefined when none. */
  recheck: ((text: SearchText) => boolean) | undefined
}

function phrase(s: string): string {
  return `"${s.replaceAll('"', '""')}"`
}

/** True when the trigram index can find `s` by itself: 3 or more characters. */
function indexable(s: string): boolean {
  return /^[\s\S]{3}/u.test(s) // 3 code points, as the tokenizer counts them
}

function list(v: string | readonly string[] | undefined): readonly string[] {
  if (v === undefined) return []
  return typeof v === 'string' ? [v] : v
}

/** RFC 9051 6.4.4 HEADER: the field is present and its value contains the string. */
function headerHas(text: SearchText, name: string, value: string): boolean {
  const want = name.trim().toLowerCase()
  const needle = foldForSearch(value)
  return headerFields(text.header).some(
    (f) => f.name.toLowerCase() === want && foldForSearch(f.value).includes(needle),
  )
}

/** The MATCH terms and the text checks of one header criterion. */
function headerPlan(name: string, value: string, terms: string[], checks: Check[]): void {
  const column = FIELD_COLUMNS.get(name.trim().toLowerCase())
  if (column !== undefined && indexable(value)) {
    terms.push(`${column} : ${phrase(value)}`)
    return
  }
  if (indexable(`${name.trim()}:`)) terms.push(`header : ${phrase(`${name.trim()}:`)}`)
  if (indexable(value)) terms.push(`header : ${phrase(value)}`)
  checks.push((t) => headerHas(t, name, value))
}

type Check = (text: SearchText) => boolean

/** RFC 9051 6.4.4 TEXT / BODY / HEADER: the index's MATCH and the checks left to the text. */
export function searchPlan(query: TextQuery): SearchPlan {
  const terms: string[] = []
  const checks: Check[] = []
  for (const s of list(query.text)) {
    if (indexable(s)) terms.push(phrase(s))
    else if (s !== '')
      checks.push((t) => foldForSearch(`${t.header}\n${t.body}`).includes(foldForSearch(s)))
  }
  for (const s of list(query.body)) {
    if (indexable(s)) terms.push(`body : ${phrase(s)}`)
    else if (s !== '') checks.push((t) => foldForSearch(t.body).includes(foldForSearch(s)))
  }
  for (const [name, value] of query.header ?? []) headerPlan(name, value, terms, checks)
  return {
    match: terms.length === 0 ? undefined : terms.map((t) => `(${t})`).join(' AND '),
    recheck: checks.length === 0 ? undefined : (t) => checks.every((c) => c(t)),
  }
}

/** The MATCH expression of a query (tests, EXPLAIN); undefined when it narrows nothing. */
export function matchExpression(query: TextQuery): string | undefined {
  return searchPlan(query).match
}

interface Candidate {
  uid: number
  blob_id: number
}

export class SearchIndex {
  readonly #insert: Statement<TextRow>
  readonly #forget: Statement<[number]>
  readonly #pending: Statement<[number], { blob_id: number; data: Buffer | null }>
  readonly #donePending: Statement<[number]>
  readonly #markPending: Statement<[number]>
  readonly #anyPending: Statement<[], { n: number }>
  readonly #search: Statement<[number, string], Candidate>
  readonly #all: Statement<[number], Candidate>
  readonly #body: Statement<[number], { data: Buffer }>

  constructor(db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO message_text (rowid, subject, from_, to_, cc, bcc, header, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#forget = db.prepare('DELETE FROM message_text WHERE rowid = ?')
    this.#pending = db.prepare(
      `SELECT p.blob_id, b.data FROM message_text_pending p
       LEFT JOIN message_blobs b ON b.id = p.blob_id ORDER BY p.blob_id LIMIT ?`,
    )
    this.#donePending = db.prepare('DELETE FROM message_text_pending WHERE blob_id = ?')
    this.#markPending = db.prepare(
      'INSERT OR IGNORE INTO message_text_pending (blob_id) VALUES (?)',
    )
    this.#anyPending = db.prepare('SELECT EXISTS (SELECT 1 FROM message_text_pending) AS n')
    this.#search = db.prepare(
      // The MATCH runs once, as a list subquery (with a join SQLite picked
      // messages_mailbox_modseq for the inner loop: 800 ms for 1,250 hits in 10,000).
      `SELECT uid, blob_id FROM messages WHERE mailbox_id = ? AND blob_id IN
         (SELECT rowid FROM message_text WHERE message_text MATCH ?)
       ORDER BY uid`,
    )
    this.#all = db.prepare('SELECT uid, blob_id FROM messages WHERE mailbox_id = ? ORDER BY uid')
    this.#body = db.prepare('SELECT data FROM message_blobs WHERE id = ?')
  }

  /** Indexes a new body; runs inside the caller's transaction. */
  index(blobId: number, raw: Buffer): void {
    const { header, body } = extractSearchText(raw)
    const fields = new Map<string, string[]>()
    for (const f of headerFields(header)) {
      const column = FIELD_COLUMNS.get(f.name.toLowerCase())
      if (column === undefined) continue
      fields.set(column, [...(fields.get(column) ?? []), f.value])
    }
    const col = (c: string): string => (fields.get(c) ?? []).join('\n')
    this.#insert.run(
      blobId,
      col('subject'),
      col('from_'),
      col('to_'),
      col('cc'),
      col('bcc'),
      header,
      body,
    )
  }

  /** Lists a new body for the background indexer; runs inside the caller's transaction. */
  defer(blobId: number): void {
    this.#markPending.run(blobId)
  }

  /** True when some bodies still wait for the index. */
  hasPending(): boolean {
    return (this.#anyPending.get()?.n ?? 0) > 0
  }

  /** Indexes up to `limit` waiting bodies inside the caller's transaction; returns how many. */
  indexPending(limit: number): number {
    const rows = this.#pending.all(limit)
    for (const r of rows) {
      this.#forget.run(r.blob_id)
      if (r.data !== null) this.index(r.blob_id, r.data)
      this.#donePending.run(r.blob_id)
    }
    return rows.length
  }

  /** UIDs of the mailbox's messages that match, sorted. */
  async search(mailboxId: number, query: TextQuery): Promise<number[]> {
    const plan = searchPlan(query)
    const rows =
      plan.match === undefined ? this.#all.all(mailboxId) : this.#search.all(mailboxId, plan.match)
    if (plan.recheck === undefined) return rows.map((r) => r.uid)
    return this.#recheck(rows, plan.recheck)
  }

  /** The candidates whose extracted text passes `check`, in order; bodies gone are skipped. */
  async #recheck(rows: readonly Candidate[], check: Check): Promise<number[]> {
    const out: number[] = []
    for (let i = 0; i < rows.length; i++) {
      if (i > 0 && i % RECHECK_BATCH === 0) await yieldToLoop()
      const r = rows[i]
      const data = r === undefined ? undefined : this.#body.get(r.blob_id)?.data
      if (r !== undefined && data !== undefined && check(extractSearchText(data))) out.push(r.uid)
    }
    return out
  }
}
