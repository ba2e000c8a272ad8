// SQLite implementation of SpamExplanationRepo (src/store/types-spam.ts). Writes go through
// the store's group committer, so an explanation is on disk before save() resolves.

import type Database from 'better-sqlite3'
import type { Statement } from 'better-sqlite3'
import type { SpamExplanationRepo, StoredSpamExplanation } from '../../types-spam.ts'
import type { SubmitWrite } from './store-write.ts'

interface Row {
  queue_id: string
  message_id: string | null
  direction: string
  score: number
  action: string
  created_at: number
  explanation: string
}

const MAX_LIMIT = 100

export class SqliteSpamExplanationRepo implements SpamExplanationRepo {
  readonly #submit: SubmitWrite
  // Prepared once: save() runs for every message, and a statement is never freed
  // (open-sqlite-database.ts keeps every one alive), so one per call would grow without end.
  readonly #insert: Statement
  readonly #find: Statement<[string, string, string, number], Row>
  readonly #prune: Statement<[number]>

  constructor(db: Database.Database, submit: SubmitWrite) {
    this.#submit = submit
    this.#insert = db.prepare(
      `INSERT INTO spam_explanations
         (queue_id, message_id, direction, score, action, created_at, explanation)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (queue_id) DO UPDATE SET message_id = excluded.message_id,
         direction = excluded.direction, score = excluded.score, action = excluded.action,
         created_at = excluded.created_at, explanation = excluded.explanation`,
    )
    this.#find = db.prepare(
      `SELECT queue_id, message_id, direction, score, action, created_at, explanation
         FROM spam_explanations
        WHERE queue_id = ? OR message_id = ? OR message_id = ?
        ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    this.#prune = db.prepare('DELETE FROM spam_explanations WHERE created_at < ?')
  }

  save(entry: StoredSpamExplanation): Promise<void> {
    const insert = this.#insert
    return this.#submit(() => {
      insert.run(
        entry.queueId,
        entry.messageId,
        entry.direction,
        entry.score,
        entry.action,
        entry.createdAt,
        JSON.stringify(entry.explanation),
      )
      return { value: undefined, changes: [] }
    })
  }

  find(key: string, limit = 10): Promise<StoredSpamExplanation[]> {
    const trimmed = key.trim()
    const bare = trimmed.replace(/^<|>$/g, '')
    const rows = this.#find.all(trimmed, `<${bare}>`, bare, Math.max(1, Math.min(limit, MAX_LIMIT)))
    return Promise.resolve(rows.map(toEntry))
  }

  prune(before: number): Promise<number> {
    const del = this.#prune
    return this.#submit(() => ({ value: del.run(before).changes, changes: [] }))
  }
}

function toEntry(row: Row): StoredSpamExplanation {
  let explanation: unknown = null
  try {
    explanation = JSON.parse(row.explanation) as unknown
  } catch {
    explanation = { unreadable: row.explanation.slice(0, 200) }
  }
  return {
    queueId: row.queue_id,
    messageId: row.message_id,
    direction: row.direction === 'outbound' ? 'outbound' : 'inbound',
    score: row.score,
    action: row.action,
    createdAt: row.created_at,
    explanation,
  }
}
