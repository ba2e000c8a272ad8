// Makes a WAL-mode SQLite database's committed transactions durable from the thread pool:
// fdatasync of the "-wal" file, where a transaction committed with synchronous=NORMAL already
// sits (SQLite WAL format: recovery replays every committed frame found in the file). On Linux
// fsync is per file, whatever descriptor asks, so our own read-only descriptor suffices.
// SQLite keeps the WAL file (it restarts it in place after a checkpoint) while its
// connection is open, which is as long as this lives.
import { closeSync, fdatasync, openSync } from 'node:fs'

export class WalSync {
  readonly #path: string
  #fd: number | undefined

  constructor(databasePath: string) {
    this.#path = `${databasePath}-wal`
  }

  /** Resolves once everything written to the WAL so far is on disk. */
  sync(): Promise<void> {
    this.#fd ??= openSync(this.#path, 'r')
    const fd = this.#fd
    return new Promise((resolve, reject) => {
      fdatasync(fd, (err) => {
        if (err) reject(err)
        else resolve()
      })
    })
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd)
    this.#fd = undefined
  }
}
