// The worker thread of wal-checkpointer.ts: its own connection to the database file, which
// runs PASSIVE checkpoints when asked (SQLite WAL: copies committed frames back into the
// database file and fsyncs it, never waiting for a lock and never blocking writers), so that
// this I/O and its fsyncs happen off the main thread's event loop. Each answer says how many
// frames the WAL holds and how many of them are now in the database file.
import { parentPort, workerData } from 'node:worker_threads'
import { openSqliteDatabase } from './open-sqlite-database.ts'

export interface CheckpointRequest {
  kind: 'checkpoint' | 'close'
}

export type CheckpointReply =
  | { kind: 'checkpointed'; walFrames: number; checkpointed: number; busy: boolean }
  | { kind: 'failed'; message: string }

interface CheckpointRow {
  busy: number
  log: number
  checkpointed: number
}

const port = parentPort
if (port === null) throw new Error('wal-checkpoint-worker.ts runs as a worker thread')
const { path } = workerData as { path: string }
const db = openSqliteDatabase(path)
// Prepared once and kept (open-sqlite-database.ts: statements are never collected).
const checkpoint = db.prepare<[], CheckpointRow>('PRAGMA wal_checkpoint(PASSIVE)')

port.on('message', (req: CheckpointRequest) => {
  if (req.kind === 'close') {
    db.close()
    port.close()
    return
  }
  let reply: CheckpointReply
  try {
    const row = checkpoint.get()
    reply = {
      kind: 'checkpointed',
      walFrames: row?.log ?? 0,
      checkpointed: row?.checkpointed ?? 0,
      busy: (row?.busy ?? 0) !== 0,
    }
  } catch (err) {
    reply = { kind: 'failed', message: err instanceof Error ? err.message : String(err) }
  }
  port.postMessage(reply)
})
