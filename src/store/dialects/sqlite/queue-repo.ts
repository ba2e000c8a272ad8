// The outbound queue on SQLite: one row per recipient linked to a shared queue message.
// This issue only fills it (from accept); the scheduler issue adds leasing and updates.

import type { Database, Statement } from 'better-sqlite3'
import type { QueuedRecipient, QueueRepo } from '../../types.ts'
import { asAsync } from './as-async.ts'

interface Row {
  id: number
  queue_id: number
  address: string
  state: QueuedRecipient['state']
}

export class SqliteQueueRepo implements QueueRepo {
  readonly #listRecipients: Statement<[], Row>

  constructor(db: Database) {
    this.#listRecipients = db.prepare(
      'SELECT id, queue_id, address, state FROM queue_recipients ORDER BY id',
    )
  }

  listRecipients(): Promise<QueuedRecipient[]> {
    return asAsync(() =>
      this.#listRecipients
        .all()
        .map((r) => ({ id: r.id, queueId: r.queue_id, address: r.address, state: r.state })),
    )
  }
}
