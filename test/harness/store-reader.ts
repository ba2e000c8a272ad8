// Reads what Postern stored, straight from the SQLite file, read-only (WAL lets a reader
// in while the server runs). Only tests use this; the server goes through store/.
// It uses node:sqlite, not better-sqlite3: better-sqlite3 12.x objects (ObjectWrap) abort
// Node >= 24.19 when garbage collected ("Assertion failed: (env) != nullptr" in
// RemoveEnvironmentCleanupHook, WiseLibs/better-sqlite3#1515), which killed test runs.
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

export interface StoredMessage {
  uid: number
  size: number
  raw: Buffer
}

export interface StoredMailbox {
  uidNext: number
  messageCount: number
  totalBytes: number
  messages: StoredMessage[]
}

interface MailboxRow {
  id: number
  uid_next: number
  message_count: number
  total_bytes: number
}

interface MessageRowDb {
  uid: number
  size: number
  data: Uint8Array
}

function openDb(dataDir: string): DatabaseSync {
  return new DatabaseSync(join(dataDir, 'postern.db'), { readOnly: true })
}

/** The mailbox of `address` (INBOX by default), with every message, ordered by UID. */
export function readMailbox(dataDir: string, address: string, name = 'INBOX'): StoredMailbox {
  const db = openDb(dataDir)
  try {
    const mb = db
      .prepare(
        `SELECT m.id, m.uid_next, m.message_count, m.total_bytes
           FROM mailboxes m JOIN accounts a ON a.id = m.account_id
          WHERE a.address = ? AND m.name = ?`,
      )
      .get(address.toLowerCase(), name) as MailboxRow | undefined
    if (mb === undefined) throw new Error(`no mailbox ${name} for ${address}`)
    const rows = db
      .prepare(
        `SELECT msg.uid, msg.size, b.data
           FROM messages msg JOIN message_blobs b ON b.id = msg.blob_id
          WHERE msg.mailbox_id = ? ORDER BY msg.uid`,
      )
      .all(mb.id) as unknown as MessageRowDb[]
    return {
      uidNext: mb.uid_next,
      messageCount: mb.message_count,
      totalBytes: mb.total_bytes,
      messages: rows.map((r) => ({ uid: r.uid, size: r.size, raw: Buffer.from(r.data) })),
    }
  } finally {
    db.close()
  }
}

/** Rows in `messages` (every mailbox copy) and in `queue_recipients`. */
export function countStored(dataDir: string): { messages: number; queued: number } {
  const db = openDb(dataDir)
  try {
    const m = db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number } | undefined
    const q = db.prepare('SELECT count(*) AS n FROM queue_recipients').get() as
      { n: number } | undefined
    return { messages: m?.n ?? 0, queued: q?.n ?? 0 }
  } finally {
    db.close()
  }
}

/** The value of the first header `name` in a raw message, unfolded, or undefined. */
export function headerValue(raw: Buffer | string, name: string): string | undefined {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  const head = (end === -1 ? text : text.slice(0, end)).replace(/\r\n[ \t]+/g, ' ')
  const lower = name.toLowerCase() + ':'
  for (const line of head.split('\r\n')) {
    if (line.toLowerCase().startsWith(lower)) return line.slice(lower.length).trim()
  }
  return undefined
}

/** Every value of header `name` (e.g. all Message-IDs) across a mailbox's messages. */
export function headerValues(box: StoredMailbox, name: string): string[] {
  return box.messages.map((m) => headerValue(m.raw, name) ?? '')
}

/** Checks UID/count invariants of a mailbox; returns a list of problems (empty = fine). */
export function mailboxProblems(box: StoredMailbox): string[] {
  const problems: string[] = []
  const uids = box.messages.map((m) => m.uid)
  if (new Set(uids).size !== uids.length) problems.push('duplicate UIDs')
  const maxUid = uids.length === 0 ? 0 : Math.max(...uids)
  if (box.uidNext <= maxUid) problems.push(`uid_next ${box.uidNext} <= max uid ${maxUid}`)
  if (box.messageCount !== uids.length) {
    problems.push(`message_count ${box.messageCount} != rows ${uids.length}`)
  }
  const bytes = box.messages.reduce((s, m) => s + m.size, 0)
  if (box.totalBytes !== bytes) problems.push(`total_bytes ${box.totalBytes} != sum ${bytes}`)
  return problems
}
