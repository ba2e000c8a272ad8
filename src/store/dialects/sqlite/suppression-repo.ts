// The suppression list on SQLite: addresses that must not be sent to again (a hard "no such
// user" bounce), keyed by the lower-cased address. Writes go through the group committer.

import type { Database, Statement } from 'better-sqlite3'
import type { Suppression, SuppressionRepo } from '../../types-outbound.ts'
import { asAsync } from './as-async.ts'
import type { SubmitWrite } from './store-write.ts'

interface Row {
  address: string
  reason: string
  reply: string | null
  created_at: number
}

function toSuppression(r: Row): Suppression {
  const s: Suppression = { address: r.address, reason: r.reason, createdAt: r.created_at }
  if (r.reply !== null) s.reply = r.reply
  return s
}

export class SqliteSuppressionRepo implements SuppressionRepo {
  readonly #submit: SubmitWrite
  readonly #get: Statement<[string], Row>
  readonly #list: Statement<[], Row>
  readonly #upsert: Statement<[string, string, string | null, number]>
  readonly #remove: Statement<[string]>

  constructor(db: Database, opts: { submit: SubmitWrite }) {
    this.#submit = opts.submit
    this.#get = db.prepare('SELECT * FROM suppressions WHERE address = ?')
    this.#list = db.prepare('SELECT * FROM suppressions ORDER BY address')
    this.#upsert = db.prepare(
      `INSERT INTO suppressions (address, reason, reply, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, reply = excluded.reply,
         created_at = excluded.created_at`,
    )
    this.#remove = db.prepare('DELETE FROM suppressions WHERE address = ?')
  }

  add(entry: Suppression): Promise<boolean> {
    const address = entry.address.toLowerCase()
    return this.#submit(() => {
      const isNew = this.#get.get(address) === undefined
      this.#upsert.run(address, entry.reason, entry.reply ?? null, entry.createdAt)
      return { value: isNew, changes: [] }
    })
  }

  get(address: string): Promise<Suppression | undefined> {
    return asAsync(() => {
      const row = this.#get.get(address.toLowerCase())
      return row === undefined ? undefined : toSuppression(row)
    })
  }

  list(): Promise<Suppression[]> {
    return asAsync(() => this.#list.all().map(toSuppression))
  }

  remove(address: string): Promise<boolean> {
    return this.#submit(() => ({
      value: this.#remove.run(address.toLowerCase()).changes > 0,
      changes: [],
    }))
  }
}
