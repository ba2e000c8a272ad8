// The SQLite engine of the store: opens (see open-sqlite-database.ts: WAL and
// synchronous=FULL, so every COMMIT has fsynced the WAL when it returns) and migrates the
// database file, and wires the repositories, the group committer that every write goes
// through (accept, and the IMAP writes of mailbox-admin.ts and imap-message-repo.ts), the
// full-text index and the change feed.

import type Database from 'better-sqlite3'
import type {
  AcceptInput,
  AcceptResult,
  ChangeListener,
  MailboxChange,
  Store,
} from '../../types.ts'
import { StoreError } from '../../store-error.ts'
import { AcceptWriter } from './accept-writer.ts'
import { GroupCommitter } from './group-commit.ts'
import { migrateSqlite } from './migrate.ts'
import { openSqliteDatabase } from './open-sqlite-database.ts'
import { SqliteAccountRepo } from './account-repo.ts'
import { SqliteAliasRepo } from './alias-repo.ts'
import { SqliteDomainRepo } from './domain-repo.ts'
import { BACKGROUND_BATCH, SqliteImapMessageRepo } from './imap-message-repo.ts'
import { SqliteMailboxAdmin } from './mailbox-admin.ts'
import { SearchIndex } from './search-index.ts'
import { WalSync } from './wal-sync.ts'
import { WalCheckpointer } from './wal-checkpointer.ts'
import type { StoreWrite, SubmitWrite, Written } from './store-write.ts'
import { SqliteQueueRepo } from './queue-repo.ts'
import { SqliteSuppressionRepo } from './suppression-repo.ts'
import { SqliteSpamExplanationRepo } from './spam-repo.ts'
import { SqliteSpamLearningRepo } from './spam-learning-repo.ts'
import { SqliteEmailAuthRepo } from './email-auth-repo.ts'
import { SqliteScramRepo } from './scram-repo.ts'

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
  return new SqliteStore({ db, clock, walSync: new WalSync(opts.path), ...optional(opts) })
}

function optional(opts: SqliteStoreOptions): Pick<SqliteStoreOptions, 'onCommit' | 'maxBatch'> {
  const out: Pick<SqliteStoreOptions, 'onCommit' | 'maxBatch'> = {}
  if (opts.onCommit) out.onCommit = opts.onCommit
  if (opts.maxBatch !== undefined) out.maxBatch = opts.maxBatch
  return out
}

/** How long after a delivery the background indexer starts (it then drains every batch). */
const INDEX_DELAY_MS = 250

class SqliteStore implements Store {
  readonly domains: SqliteDomainRepo
  readonly accounts: SqliteAccountRepo
  readonly aliases: SqliteAliasRepo
  readonly mailboxes: SqliteMailboxAdmin
  readonly messages: SqliteImapMessageRepo
  readonly queue: SqliteQueueRepo
  readonly emailAuth: SqliteEmailAuthRepo
  readonly suppressions: SqliteSuppressionRepo
  readonly spamExplanations: SqliteSpamExplanationRepo
  readonly spamLearning: SqliteSpamLearningRepo
  readonly scram: SqliteScramRepo
  readonly #db: Database.Database
  /** Every write of the store (accept, IMAP writes) shares this committer. */
  readonly #committer: GroupCommitter<StoreWrite, Written<unknown>>
  readonly #accept: (input: AcceptInput) => Written<AcceptResult>
  readonly #listeners = new Set<ChangeListener>()
  #closed = false
  #indexTimer: NodeJS.Timeout | undefined
  readonly #walSync: WalSync
  /** Checkpoints the WAL from a worker thread, off the event loop (wal-checkpointer.ts). */
  readonly #checkpointer: WalCheckpointer

  constructor(opts: {
    db: Database.Database
    clock: () => number
    walSync: WalSync
    onCommit?: (info: CommitInfo) => void
    maxBatch?: number
  }) {
    const { db, clock } = opts
    this.#db = db
    this.#walSync = opts.walSync
    this.domains = new SqliteDomainRepo(db, clock)
    this.accounts = new SqliteAccountRepo(db, clock)
    this.aliases = new SqliteAliasRepo(db, clock)
    const submit: SubmitWrite = async <T>(write: () => Written<T>) =>
      (await this.#committer.submit(write)).value as T
    const index = new SearchIndex(db)
    this.messages = new SqliteImapMessageRepo(db, {
      onExpunged: (changes) => {
        this.#emit(changes)
      },
      clock,
      submit,
      index,
    })
    this.mailboxes = new SqliteMailboxAdmin(db, { clock, submit, writer: this.messages.writer })
    this.queue = new SqliteQueueRepo(db, { submit })
    this.emailAuth = new SqliteEmailAuthRepo(db, { submit })
    this.suppressions = new SqliteSuppressionRepo(db, { submit })
    this.spamExplanations = new SqliteSpamExplanationRepo(db, submit)
    this.spamLearning = new SqliteSpamLearningRepo(db, submit)
    this.scram = new SqliteScramRepo(db, { submit, clock })
    const writer = new AcceptWriter(db, clock)
    const onCommit = opts.onCommit
    // A delivered body is listed for the background indexer, not indexed here: the index
    // costs more than the rest of the accept (search-index.ts). A body only queued for remote
    // recipients is not indexed.
    this.#accept = (input) => {
      const { result, changes } = writer.write(input)
      if (result.delivered.length > 0) {
        index.defer(result.blobId)
        this.#scheduleIndexing()
      }
      return { value: result, changes }
    }
    this.#committer = new GroupCommitter<StoreWrite, Written<unknown>>({
      db,
      apply: (write) => write(),
      maxBatch: opts.maxBatch ?? 256,
      syncAfterCommit: () => opts.walSync.sync(),
      onCommitted: (info) => {
        this.#checkpointer.afterCommit()
        onCommit?.({ requests: info.requests, seconds: info.seconds })
        this.#emit(info.results.flatMap((r) => r.changes))
      },
    })
    this.#checkpointer = new WalCheckpointer({ path: db.name, db, gate: this.#committer })
    // Bodies stored before the full-text index existed are indexed in the background (a
    // search catches up first); a store closed meanwhile simply stops it.
    this.messages.catchUpIndex(BACKGROUND_BATCH).catch(() => undefined)
  }

  /**
   * Indexes what accepts left pending, INDEX_DELAY_MS after the first of them: under load
   * the batches grow (up to the repo's batch size per commit) and FTS5's per-commit cost is
   * shared. The pending list is durable, so a crash only delays indexing to the next start.
   */
  #scheduleIndexing(): void {
    if (this.#indexTimer !== undefined || this.#closed) return
    this.#indexTimer = setTimeout(() => {
      this.#indexTimer = undefined
      // A store closed meanwhile: stop.
      this.messages.catchUpIndex(BACKGROUND_BATCH).catch(() => undefined)
    }, INDEX_DELAY_MS)
    this.#indexTimer.unref()
  }

  async accept(input: AcceptInput): Promise<AcceptResult> {
    const written = await this.#committer.submit(() => this.#accept(input))
    return written.value as AcceptResult
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
    clearTimeout(this.#indexTimer)
    await this.#checkpointer.close() // lets held commits go; the worker's connection closes
    await this.#committer.close()
    this.#listeners.clear()
    this.#walSync.close()
    this.#db.close()
  }

  #emit(changes: MailboxChange[]): void {
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
