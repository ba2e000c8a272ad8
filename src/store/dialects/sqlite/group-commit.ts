// Group commit on SQLite: many concurrent write requests share one transaction and so
// one fsync. The first request of a turn schedules a flush with setImmediate; the flush
// takes up to `maxBatch` pending requests, runs each inside its own SAVEPOINT (a failing
// request is rolled back alone and rejected), then COMMITs once. With WAL and
// synchronous=FULL the COMMIT has fsynced the WAL when it returns, and only then are the
// promises settled. If the COMMIT itself fails every request of the batch is rejected.

import type { Database, Statement } from 'better-sqlite3'
import { StoreError } from '../../store-error.ts'

export interface BatchInfo<Res> {
  /** Requests that were part of the committed batch (ok + failed). */
  requests: number
  /** The results of the requests that succeeded, in submission order. */
  results: Res[]
  /** Time from BEGIN to the end of COMMIT (fsync included). */
  seconds: number
}

export interface GroupCommitOptions<Req, Res> {
  db: Database
  /** Applies one request; runs synchronously inside the batch transaction. */
  apply: (req: Req) => Res
  /** Called after each successful COMMIT, before the promises settle. */
  onCommitted?: (info: BatchInfo<Res>) => void
  maxBatch?: number
  /**
   * When given, a batch commits without waiting for the disk (synchronous=NORMAL for that
   * transaction) and this is awaited (an fdatasync of the WAL in libuv's thread pool) before
   * the batch's promises settle: the event loop goes on serving sessions during the fsync,
   * and the requests that arrive meanwhile share the next commit. The commit is on disk all
   * the same before anyone hears of it.
   */
  syncAfterCommit?: () => Promise<void>
}

interface Pending<Req, Res> {
  req: Req
  resolve: (res: Res) => void
  reject: (err: unknown) => void
}

type Outcome<Res> = { ok: true; value: Res } | { ok: false; error: unknown }

export class GroupCommitter<Req, Res> {
  readonly #db: Database
  readonly #apply: (req: Req) => Res
  readonly #onCommitted: ((info: BatchInfo<Res>) => void) | undefined
  readonly #maxBatch: number
  readonly #begin: Statement
  readonly #commit: Statement
  readonly #rollback: Statement
  readonly #savepoint: Statement
  readonly #release: Statement
  readonly #rollbackTo: Statement
  readonly #syncAfterCommit: (() => Promise<void>) | undefined
  readonly #syncNormal: Statement
  readonly #syncFull: Statement
  #syncsInFlight = 0
  #pending: Pending<Req, Res>[] = []
  #scheduled = false
  #held = false
  #closed = false
  #idleWaiters: (() => void)[] = []
  #commits = 0

  constructor(opts: GroupCommitOptions<Req, Res>) {
    this.#db = opts.db
    this.#apply = opts.apply
    this.#onCommitted = opts.onCommitted
    this.#maxBatch = opts.maxBatch ?? 256
    this.#begin = opts.db.prepare('BEGIN IMMEDIATE')
    this.#commit = opts.db.prepare('COMMIT')
    this.#rollback = opts.db.prepare('ROLLBACK')
    this.#savepoint = opts.db.prepare('SAVEPOINT request')
    this.#release = opts.db.prepare('RELEASE request')
    this.#rollbackTo = opts.db.prepare('ROLLBACK TO request')
    this.#syncAfterCommit = opts.syncAfterCommit
    this.#syncNormal = opts.db.prepare('PRAGMA synchronous = NORMAL')
    this.#syncFull = opts.db.prepare('PRAGMA synchronous = FULL')
  }

  /** Number of COMMITs done so far. */
  get commits(): number {
    return this.#commits
  }

  /** Queues a request; resolves after the transaction holding it is on disk. */
  submit(req: Req): Promise<Res> {
    if (this.#closed) return Promise.reject(new StoreError('closed', 'the store is closed'))
    return new Promise<Res>((resolve, reject) => {
      this.#pending.push({ req, resolve, reject })
      this.#schedule()
    })
  }

  /**
   * Holds new batches (requests queue up) until release(): the WAL checkpointer uses it to
   * let a checkpoint catch up with the WAL, so that the next commit restarts the WAL file.
   */
  hold(): void {
    this.#held = true
  }

  release(): void {
    if (!this.#held) return
    this.#held = false
    if (this.#pending.length > 0) this.#schedule()
  }

  /** Refuses new requests and resolves once every queued request is settled. */
  close(): Promise<void> {
    this.#closed = true
    if (this.#isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #schedule(): void {
    if (this.#scheduled || this.#held) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      if (this.#held) return // release() schedules again
      this.#flush()
      if (this.#pending.length > 0) this.#schedule()
      else if (this.#isIdle()) this.#notifyIdle()
    })
  }

  #isIdle(): boolean {
    return this.#pending.length === 0 && !this.#scheduled && this.#syncsInFlight === 0
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const w of waiters) w()
  }

  #flush(): void {
    const batch = this.#pending.splice(0, this.#maxBatch)
    if (batch.length === 0) return
    let outcomes: Outcome<Res>[]
    const started = performance.now()
    try {
      outcomes = this.#runBatch(batch)
    } catch (err) {
      if (this.#db.inTransaction) this.#rollback.run()
      if (this.#syncAfterCommit) this.#syncFull.run()
      for (const p of batch) p.reject(err)
      return
    }
    this.#commits++
    const sync = this.#syncAfterCommit
    if (sync === undefined) {
      this.#settle(batch, outcomes, started)
      return
    }
    this.#syncsInFlight++
    sync()
      .then(
        () => {
          this.#settle(batch, outcomes, started)
        },
        (err: unknown) => {
          // Not known to be on disk: nobody may be told it is.
          for (const p of batch) p.reject(err)
        },
      )
      .finally(() => {
        this.#syncsInFlight--
        if (this.#isIdle()) this.#notifyIdle()
      })
  }

  /** After the commit is on disk: listeners first (change feed), then the callers. */
  #settle(batch: Pending<Req, Res>[], outcomes: Outcome<Res>[], started: number): void {
    const results: Res[] = []
    for (const o of outcomes) if (o.ok) results.push(o.value)
    try {
      const seconds = (performance.now() - started) / 1000
      this.#onCommitted?.({ requests: batch.length, results, seconds })
    } catch {
      // A listener's failure must not undo a commit that is already on disk.
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]
      if (o?.ok) p.resolve(o.value)
      else p.reject(o ? o.error : new Error('missing batch outcome'))
    })
  }

  /** Runs the batch in one transaction; throws if the transaction as a whole failed. */
  #runBatch(batch: Pending<Req, Res>[]): Outcome<Res>[] {
    const isDeferredSync = this.#syncAfterCommit !== undefined
    if (isDeferredSync) this.#syncNormal.run()
    try {
      return this.#runTransaction(batch)
    } finally {
      // Outside a transaction only; a failed batch is rolled back by #flush, which resets it.
      if (isDeferredSync && !this.#db.inTransaction) this.#syncFull.run()
    }
  }

  #runTransaction(batch: Pending<Req, Res>[]): Outcome<Res>[] {
    this.#begin.run()
    const outcomes: Outcome<Res>[] = []
    for (const p of batch) {
      this.#savepoint.run()
      try {
        const value = this.#apply(p.req)
        this.#release.run()
        outcomes.push({ ok: true, value })
      } catch (error) {
        // Some errors (e.g. SQLITE_FULL) roll back the whole transaction: then the
        // batch as a whole has failed.
        if (!this.#db.inTransaction) throw error
        this.#rollbackTo.run()
        this.#release.run()
        outcomes.push({ ok: false, error })
      }
    }
    this.#commit.run()
    return outcomes
  }
}
