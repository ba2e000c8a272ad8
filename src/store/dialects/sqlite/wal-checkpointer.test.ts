// Unit tests for the WAL checkpointer: checkpoints run in the worker thread, the WAL is
// restarted under steady commits (commits held for a catch-up), nothing committed is lost,
// and a worker that fails hands checkpointing back to SQLite on the main connection.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { GroupCommitter } from './group-commit.ts'
import { openSqliteDatabase } from './open-sqlite-database.ts'
import { WalCheckpointer } from './wal-checkpointer.ts'

const FRAME_BYTES = 4096 + 24 // page + frame header (SQLite WAL format)

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-ckpt-'))
  try {
    await fn(dir)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function committer(
  db: Database.Database,
  afterCommit: () => void = () => undefined,
): GroupCommitter<number, number> {
  db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY, data BLOB NOT NULL)')
  const insert = db.prepare<[number, Buffer]>('INSERT INTO t (n, data) VALUES (?, ?)')
  return new GroupCommitter<number, number>({
    db,
    apply: (n) => {
      insert.run(n, Buffer.alloc(3000, n % 256))
      return n
    },
    onCommitted: afterCommit,
  })
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

void test('checkpoints run in the worker and the WAL restarts under steady commits', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'db.sqlite')
    const db = openSqliteDatabase(file)
    const after = { commit: (): void => undefined }
    const gc = committer(db, () => {
      after.commit()
    })
    const ckpt = new WalCheckpointer({
      path: file,
      db,
      gate: gc,
      intervalMs: 0,
      catchUpFrames: 40,
      startAfterCommits: 1,
    })
    after.commit = () => {
      ckpt.afterCommit()
    }
    await gc.submit(0)
    await until(() => ckpt.checkpoints > 0, 'the worker ran a checkpoint')
    // Commits one after another, as steady load: they keep landing while checkpoints run.
    const COMMITS = 300
    for (let i = 1; i < COMMITS; i++) assert.equal(await gc.submit(i), i)
    assert.equal(gc.commits, COMMITS)
    // Without restarts the WAL would hold every frame written (one or more per commit);
    // the main connection's own automatic checkpoint is only a backstop far above this.
    const walBytes = fs.statSync(`${file}-wal`).size
    assert.ok(
      walBytes < COMMITS * FRAME_BYTES,
      `WAL of ${walBytes} bytes after ${gc.commits} commits: it was never restarted`,
    )
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 16384)
    await ckpt.close()
    await gc.close()
    db.close()
    const again = openSqliteDatabase(file)
    try {
      const row = again.prepare<[], { n: number }>('SELECT count(*) AS n FROM t').get()
      assert.equal(row?.n, COMMITS)
    } finally {
      again.close()
    }
  }))

void test('a worker that fails hands checkpointing back to the main connection', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'db.sqlite')
    const db = openSqliteDatabase(file)
    const after = { commit: (): void => undefined }
    const gc = committer(db, () => {
      after.commit()
    })
    const errors: Error[] = []
    // The worker cannot open this path: it fails at once.
    const ckpt = new WalCheckpointer({
      path: path.join(dir, 'missing', 'db.sqlite'),
      db,
      gate: gc,
      startAfterCommits: 1,
      onError: (err) => errors.push(err),
    })
    after.commit = () => {
      ckpt.afterCommit()
    }
    await gc.submit(1)
    await until(() => errors.length > 0, 'the worker failed')
    assert.equal(errors.length, 1)
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000)
    assert.equal(await gc.submit(2), 2, 'commits go on')
    await ckpt.close()
    await gc.close()
    db.close()
  }))
