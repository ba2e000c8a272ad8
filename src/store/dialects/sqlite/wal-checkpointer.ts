// Checkpoints the store's WAL from a worker thread instead of inside COMMIT on the event loop.
//
// SQLite's automatic checkpoint runs in the COMMIT that takes the WAL past 1,000 frames: it
// copies the frames into the database file and fsyncs it, synchronously, on the thread that
// committed. Under inbound load that was one stall of 5-70 ms on the event loop every few
// dozen messages (SQLite WAL docs, "Automatic Checkpoint"). Here the main connection's
// automatic checkpoint is raised to a backstop, and a worker thread with its own connection
// (wal-checkpoint-worker.ts) runs PASSIVE checkpoints at most every `intervalMs` while commits
// happen: the copying and the fsync of the database file happen beside the event loop.
//
// A PASSIVE checkpoint never blocks writers, so under steady load commits keep landing while
// it runs and the WAL would only grow: SQLite restarts the WAL from its beginning only when a
// write transaction starts with every frame already checkpointed. So once the WAL holds
// `catchUpFrames`, the group committer holds new batches until one checkpoint has run with no
// commit beside it (at most `maxHoldMs`); the next batch then restarts the WAL. Holding costs
// those messages the time of one checkpoint, not the event loop. Durability is unchanged: a commit is fsynced in
// the WAL before anyone hears of it, and a checkpoint fsyncs the database file before SQLite
// lets the WAL be reused.
import { Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'
import type { CheckpointReply, CheckpointRequest } from './wal-checkpoint-worker.ts'

/** What the checkpointer needs from the group committer. */
export interface CommitGate {
  /** COMMITs run so far. */
  readonly commits: number
  hold(): void
  release(): void
}

export interface WalCheckpointerOptions {
  /** The database file (the main connection's). */
  path: string
  /** The main connection: its automatic checkpoint becomes the backstop. */
  db: Database.Database
  gate: CommitGate
  /** Least time between two background checkpoints; 250 ms by default. */
  intervalMs?: number
  /** WAL frames at which commits wait for a checkpoint to catch up; 4,096 by default. */
  catchUpFrames?: number
  /**
   * Longest commits are held; 50 ms by default. A slower checkpoint (a busy disk) lets them go
   * on: the WAL grows until the next catch-up, or the backstop.
   */
  maxHoldMs?: number
  /** Commits before the worker starts (a short-lived store never starts one); 32. */
  startAfterCommits?: number
  /** Frames at which the main connection checkpoints itself after all; 16,384 by default. */
  backstopFrames?: number
  clock?: () => number
  /** Called when the worker fails; the main connection's automatic checkpoint takes over. */
  onError?: (err: Error) => void
}

/** SQLite's default automatic checkpoint (frames), restored if the worker fails. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000

export class WalCheckpointer {
  readonly #opts: WalCheckpointerOptions
  readonly #clock: () => number
  readonly #intervalMs: number
  readonly #catchUpFrames: number
  #worker: Worker | undefined
  #failed = false
  #closed = false
  #inFlight = false
  /** Commits done when the checkpoint in flight was asked for. */
  #commitsAtRequest = 0
  #lastRequestAt = Number.NEGATIVE_INFINITY
  #holding = false
  #holdTimer: NodeJS.Timeout | undefined
  #lastFrames = 0
  #nextHoldAt: number
  #checkpoints = 0
  #exited: Promise<void> = Promise.resolve()

  constructor(opts: WalCheckpointerOptions) {
    this.#opts = opts
    this.#clock = opts.clock ?? Date.now
    this.#intervalMs = opts.intervalMs ?? 250
    this.#catchUpFrames = opts.catchUpFrames ?? 4096
    this.#nextHoldAt = this.#catchUpFrames
  }

  /** Checkpoints the worker has completed. */
  get checkpoints(): number {
    return this.#checkpoints
  }

  /** Frames the WAL held at the last checkpoint. */
  get walFrames(): number {
    return this.#lastFrames
  }

  /** Call after every COMMIT. */
  afterCommit(): void {
    if (this.#closed || this.#failed) return
    if (this.#worker === undefined) {
      if (this.#opts.gate.commits >= (this.#opts.startAfterCommits ?? 32)) this.#start()
      return
    }
    if (!this.#inFlight && this.#clock() - this.#lastRequestAt >= this.#intervalMs) {
      this.#request()
    }
  }

  /** Lets held commits go, stops the worker and waits for it to close its connection. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#stopHolding()
    const worker = this.#worker
    if (worker !== undefined && !this.#failed) {
      worker.ref() // until it has exited: close() must not be left unsettled
      worker.postMessage({ kind: 'close' } satisfies CheckpointRequest)
    }
    await this.#exited
  }

  #start(): void {
    const worker = new Worker(new URL('./wal-checkpoint-worker.ts', import.meta.url), {
      workerData: { path: this.#opts.path },
    })
    this.#worker = worker
    this.#exited = new Promise((resolve) => {
      worker.once('exit', () => {
        resolve()
      })
    })
    worker.on('message', (reply: CheckpointReply) => {
      this.#onReply(reply)
    })
    worker.on('error', (err: unknown) => {
      this.#fail(err instanceof Error ? err : new Error(String(err)))
    })
    worker.once('exit', () => {
      if (!this.#closed) this.#fail(new Error('the WAL checkpoint worker exited'))
    })
    worker.unref()
    this.#opts.db.exec(`PRAGMA wal_autocheckpoint = ${this.#opts.backstopFrames ?? 16384}`)
    this.#request()
  }

  #request(): void {
    this.#inFlight = true
    this.#commitsAtRequest = this.#opts.gate.commits
    this.#lastRequestAt = this.#clock()
    // Kept referenced while a checkpoint runs: commits held for it must not see the process
    // exit under them for want of anything else keeping the event loop alive.
    this.#worker?.ref()
    this.#worker?.postMessage({ kind: 'checkpoint' } satisfies CheckpointRequest)
  }

  #onReply(reply: CheckpointReply): void {
    this.#inFlight = false
    this.#worker?.unref()
    if (this.#closed) return
    if (reply.kind === 'failed') {
      this.#fail(new Error(`WAL checkpoint failed: ${reply.message}`))
      return
    }
    this.#checkpoints++
    // A smaller WAL than last time: it was restarted, the catch-up threshold starts over.
    if (reply.walFrames < this.#lastFrames) this.#nextHoldAt = this.#catchUpFrames
    this.#lastFrames = reply.walFrames
    const caughtUp =
      this.#opts.gate.commits === this.#commitsAtRequest &&
      !reply.busy &&
      reply.checkpointed === reply.walFrames
    if (this.#holding) {
      // No commit ran beside this checkpoint: either it caught up and the next batch restarts
      // the WAL, or a reader keeps frames in use and it could not; then the next catch-up
      // waits until the WAL has grown by another `catchUpFrames`.
      this.#nextHoldAt = reply.walFrames + this.#catchUpFrames
      this.#stopHolding()
      return
    }
    if (reply.walFrames >= this.#nextHoldAt && !caughtUp) {
      this.#startHolding()
      this.#request()
    }
  }

  #startHolding(): void {
    this.#holding = true
    this.#opts.gate.hold()
    this.#holdTimer = setTimeout(() => {
      this.#nextHoldAt = this.#lastFrames + this.#catchUpFrames
      this.#stopHolding()
    }, this.#opts.maxHoldMs ?? 50)
    this.#holdTimer.unref()
  }

  #stopHolding(): void {
    clearTimeout(this.#holdTimer)
    this.#holdTimer = undefined
    if (!this.#holding) return
    this.#holding = false
    this.#opts.gate.release()
  }

  /** The worker is gone: SQLite's own automatic checkpoint on the main connection takes over. */
  #fail(err: Error): void {
    if (this.#failed) return
    this.#failed = true
    this.#inFlight = false
    this.#stopHolding()
    if (!this.#closed) {
      this.#opts.db.exec(`PRAGMA wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`)
    }
    void this.#worker?.terminate()
    this.#opts.onError?.(err)
  }
}
