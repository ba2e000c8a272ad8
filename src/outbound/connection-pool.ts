// Idle client sessions kept for the next message to the same host (RFC 5321 3.3 allows several
// transactions per session; a completed one needs no RSET). Keyed by host name, IP and port;
// a caller takes a session out (so one transaction runs per connection at a time) and gives it
// back when done. A session is closed with QUIT once it carried the maximum number of
// messages, after it has been idle for idleKeepMs, when the pool is full, or on close().
import type { SmtpConnection } from './smtp-connection.ts'

export interface ConnectionPoolOptions {
  maxMessagesPerConnection: number
  idleKeepMs: number
  /** Most idle sessions kept overall. */
  maxIdle?: number
  quitTimeoutMs?: number
  clock?: () => number
}

interface IdleEntry {
  key: string
  conn: SmtpConnection
  since: number
  timer: NodeJS.Timeout
}

export class ConnectionPool {
  readonly #opts: ConnectionPoolOptions
  readonly #clock: () => number
  readonly #idle = new Map<string, IdleEntry[]>()
  readonly #closing = new Set<Promise<void>>()
  #count = 0
  #closed = false

  constructor(opts: ConnectionPoolOptions) {
    this.#opts = opts
    this.#clock = opts.clock ?? Date.now
  }

  /** An idle, live session for `key` that `accept` agrees to, taken out of the pool. */
  acquire(key: string, accept: (conn: SmtpConnection) => boolean): SmtpConnection | undefined {
    const list = this.#idle.get(key)
    if (!list) return undefined
    const now = this.#clock()
    for (let i = list.length - 1; i >= 0; i--) {
      const entry = list[i]
      if (entry === undefined) continue
      const stale =
        entry.conn.broken !== undefined ||
        entry.conn.hasUnreadReplies ||
        now - entry.since >= this.#opts.idleKeepMs
      if (!stale && !accept(entry.conn)) continue
      this.#remove(entry)
      if (stale) {
        this.#quit(entry.conn)
        continue
      }
      entry.conn.socket.ref()
      return entry.conn
    }
    return undefined
  }

  /** Gives a session back after a transaction; it is kept or closed. */
  release(key: string, conn: SmtpConnection): void {
    const max = this.#opts.maxIdle ?? 100
    if (
      this.#closed ||
      conn.broken !== undefined ||
      conn.messagesSent >= this.#opts.maxMessagesPerConnection ||
      this.#opts.idleKeepMs <= 0 ||
      this.#count >= max
    ) {
      this.#quit(conn)
      return
    }
    const entry: IdleEntry = {
      key,
      conn,
      since: this.#clock(),
      timer: setTimeout(() => {
        this.#remove(entry)
        this.#quit(conn)
      }, this.#opts.idleKeepMs),
    }
    entry.timer.unref()
    // An idle session never keeps the process alive on its own.
    conn.socket.unref()
    const list = this.#idle.get(key) ?? []
    list.push(entry)
    this.#idle.set(key, list)
    this.#count += 1
  }

  /** Number of idle sessions (for tests and metrics). */
  get idleCount(): number {
    return this.#count
  }

  /** QUITs every idle session; later releases are closed at once. */
  async close(): Promise<void> {
    this.#closed = true
    for (const list of [...this.#idle.values()]) {
      for (const entry of [...list]) {
        this.#remove(entry)
        this.#quit(entry.conn)
      }
    }
    await Promise.all([...this.#closing])
  }

  #remove(entry: IdleEntry): void {
    clearTimeout(entry.timer)
    const list = this.#idle.get(entry.key)
    if (!list) return
    const at = list.indexOf(entry)
    if (at < 0) return
    list.splice(at, 1)
    this.#count -= 1
    if (list.length === 0) this.#idle.delete(entry.key)
  }

  #quit(conn: SmtpConnection): void {
    const done = conn.quit(this.#opts.quitTimeoutMs ?? 5000).finally(() => {
      this.#closing.delete(done)
    })
    this.#closing.add(done)
  }
}
