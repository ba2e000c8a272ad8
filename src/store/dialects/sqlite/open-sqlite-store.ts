// The SQLite engine of the store: opens (see open-sqlite-database.ts: WAL and
// synchronous=FULL, so every COMMIT has fsynced the WAL when it returns) and migrates the
// database file, and wires the repositories, the group-committed accept path and the
// change feed.

import type Database from 'better-sqlite3'
import type { AcceptInput, AcceptResult, ChangeListener, Store } from '../../types.ts'
import { StoreError } from '../../store-error.ts'
import { AcceptWriter, type AcceptOutcome } from './accept-writer.ts'
import { GroupCommitter } from './group-commit.ts'
import { migrateSqlite } from './migrate.ts'
import { openSqliteDatabase } from './open-sqlite-database.ts'
import { SqliteAccountRepo } from './account-repo.ts'
import { SqliteAliasRepo } from './alias-repo.ts'
import { SqliteDomainRepo } from './domain-repo.ts'
import { SqliteMailboxRepo } from './mailbox-repo.ts'
import { SqliteMessageRepo } from './message-repo.ts'
import { SqliteQueueRepo } from './queue-repo.ts'

/** What one group commit held and how long it took (BEGIN to fsynced COMMIT). */
export interface CommitInfo {
  requests: number
  seconds: number
}

export interface SqliteStoreOptions {
  /** Database file path (created if missing). */
  path: string
  /** Epoch ms; Date.now by default. */
  clock?: () => number
  /** Called after each group commit with the number of requests it held. */
  onCommit?: (info: CommitInfo) => void
  /** Most accept() requests per transaction; 256 by default. */
  maxBatch?: number
  /** How long to wait for a lock held by another connection; 5000 ms by default. */
  busyTimeoutMs?: number
}

export function openSqliteStore(opts: SqliteStoreOptions): Store {
  const clock = opts.clock ?? Date.now
  const db = openSqliteDatabase(
    opts.path,
    opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.busyTimeoutMs },
  )
  try {
    migrateSqlite(db, { now: clock() })
  } catch (err) {
    db.close()
    throw err
  }
  return new SqliteStore({ db, clock, ...optional(opts) })
}

function optional(opts: SqliteStoreOptions): Pick<SqliteStoreOptions, 'onCommit' | 'maxBatch'> {
  const out: Pick<SqliteStoreOptions, 'onCommit' | 'maxBatch'> = {}
  if (opts.onCommit) out.onCommit = opts.onCommit
  if (opts.maxBatch !== undefined) out.maxBatch = opts.maxBatch
  return out
}

class SqliteStore implements Store {
  readonly domains: SqliteDomainRepo
  readonly accounts: SqliteAccountRepo
  readonly aliases: SqliteAliasRepo
  readonly mailboxes: SqliteMailboxRepo
  readonly messages: SqliteMessageRepo
  readonly queue: SqliteQueueRepo
  readonly #db: Database.Database
  readonly #committer: GroupCommitter<AcceptInput, AcceptOutcome>
  readonly #listeners = new Set<ChangeListener>()
  #closed = false

  constructor(opts: {
    db: Database.Database
    clock: () => number
    onCommit?: (info: CommitInfo) => void
    maxBatch?: number
  }) {
    const { db, clock } = opts
    this.#db = db
    this.domains = new SqliteDomainRepo(db, clock)
    this.accounts = new SqliteAccountRepo(db, clock)
    this.aliases = new SqliteAliasRepo(db, clock)
    this.mailboxes = new SqliteMailboxRepo(db)
    this.messages = new SqliteMessageRepo(db)
    this.queue = new SqliteQueueRepo(db)
    const writer = new AcceptWriter(db, clock)
    const onCommit = opts.onCommit
    this.#committer = new GroupCommitter<AcceptInput, AcceptOutcome>({
      db,
      apply: (input) => writer.write(input),
      maxBatch: opts.maxBatch ?? 256,
      onCommitted: (info) => {
        onCommit?.({ requests: info.requests, seconds: info.seconds })
        this.#emit(info.results.flatMap((r) => r.changes))
      },
    })
  }

  async accept(input: AcceptInput): Promise<AcceptResult> {
    const outcome = await this.#committer.submit(input)
    return outcome.result
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#committer.close()
    this.#listeners.clear()
    this.#db.close()
  }

  #emit(changes: { accountId: number; mailboxId: number; uid: number }[]): void {
    if (changes.length === 0) return
    for (const listener of this.#listeners) {
      try {
        listener(changes)
      } catch {
        // A failing listener must not stop the others; the data is committed.
      }
    }
  }
}

export { StoreError }
