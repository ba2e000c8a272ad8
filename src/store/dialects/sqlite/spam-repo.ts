// SQLite implementation of SpamExplanationRepo (src/store/types-spam.ts). Writes go through
// the store's group committer, so an explanation is on disk before save() resolves.

import type Database from 'better-sqlite3'
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
  readonly #db: Database.Database
  readonly #submit: SubmitWrite

  constructor(db: Database.Database, submit: SubmitWrite) {
    this.#db = db
    this.#submit = submit
  }

  save(entry: StoredSpamExplanation): Promise<void> {
    const insert = this.#db.prepare(
      `INSERT INTO spam_explanations
         (queue_id, message_id, direction, score, action, created_at, explanation)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (queue_id) DO UPDATE SET message_id = excluded.message_id,
         direction = excluded.direction, score = excluded.score, action = excluded.action,
         created_at = excluded.created_at, explanation = excluded.explanation`,
    )
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
    const rows = this.#db
      .prepare(
        `SELECT queue_id, message_id, direction, score, action, created_at, explanation
           FROM spam_explanations
          WHERE queue_id = ? OR message_id = ? OR message_id = ?
          ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(trimmed, `<${bare}>`, bare, Math.max(1, Math.min(limit, MAX_LIMIT))) as Row[]
    return Promise.resolve(rows.map(toEntry))
  }

  prune(before: number): Promise<number> {
    const del = this.#db.prepare('DELETE FROM spam_explanations WHERE created_at < ?')
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
