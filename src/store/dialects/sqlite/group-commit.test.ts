// Unit tests for the group committer: batching, the batch cap, per-request savepoints,
// whole-batch failure, and close() draining queued requests.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { GroupCommitter } from './group-commit.ts'
import { openSqliteDatabase } from './open-sqlite-database.ts'
import { isStoreError } from '../../store-error.ts'

function withDb(fn: (db: Database.Database) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-gc-'))
  const db = openSqliteDatabase(path.join(dir, 'db.sqlite'))
  db.exec('CREATE TABLE t (v INTEGER NOT NULL UNIQUE)')
  return fn(db).finally(() => {
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
}

function rows(db: Database.Database): number[] {
  return db
    .prepare<[], { v: number }>('SELECT v FROM t ORDER BY v')
    .all()
    .map((r) => r.v)
}

void test('requests of one turn share a commit; the cap splits batches', () =>
  withDb(async (db) => {
    const insert = db.prepare<[number]>('INSERT INTO t (v) VALUES (?)')
    const sizes: number[] = []
    const gc = new GroupCommitter<number, number>({
      db,
      maxBatch: 10,
      apply: (v) => {
        insert.run(v)
        return v * 2
      },
      onCommitted: (info) => sizes.push(info.requests),
    })
    const out = await Promise.all(Array.from({ length: 25 }, (_, i) => gc.submit(i)))
    assert.deepEqual(
      out,
      Array.from({ length: 25 }, (_, i) => i * 2),
    )
    assert.deepEqual(sizes, [10, 10, 5])
    assert.equal(gc.commits, 3)
    assert.equal(rows(db).length, 25)
  }))

void test('a failing request is rolled back alone', () =>
  withDb(async (db) => {
    const insert = db.prepare<[number]>('INSERT INTO t (v) VALUES (?)')
    const gc = new GroupCommitter<number[], number>({
      db,
      apply: (vs) => {
        for (const v of vs) insert.run(v)
        return vs.length
      },
    })
    // [3, 1] inserts 3, then collides on 1: its 3 must be undone.
    const results = await Promise.allSettled([gc.submit([1, 2]), gc.submit([3, 1]), gc.submit([4])])
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    )
    assert.deepEqual(rows(db), [1, 2, 4])
    assert.equal(gc.commits, 1)
  }))

void test('when the transaction as a whole fails, every request of the batch is rejected', () =>
  withDb(async (db) => {
    const insert = db.prepare<[number]>('INSERT INTO t (v) VALUES (?)')
    const rollback = db.prepare('ROLLBACK')
    const gc = new GroupCommitter<number, number>({
      db,
      apply: (v) => {
        insert.run(v)
        if (v === 2) {
          rollback.run() // simulates SQLite abandoning the transaction (e.g. SQLITE_FULL)
          throw new Error('disk full')
        }
        return v
      },
    })
    const results = await Promise.allSettled([gc.submit(1), gc.submit(2), gc.submit(3)])
    assert.ok(results.every((r) => r.status === 'rejected'))
    assert.deepEqual(rows(db), [])
    assert.equal(db.inTransaction, false)
    assert.equal(await gc.submit(5), 5)
    assert.deepEqual(rows(db), [5])
  }))

void test('close() settles queued requests, then refuses new ones', () =>
  withDb(async (db) => {
    const insert = db.prepare<[number]>('INSERT INTO t (v) VALUES (?)')
    const gc = new GroupCommitter<number, number>({
      db,
      apply: (v) => {
        insert.run(v)
        return v
      },
    })
    const pending = [gc.submit(1), gc.submit(2)]
    await gc.close()
    assert.deepEqual(rows(db), [1, 2])
    assert.deepEqual(await Promise.all(pending), [1, 2])
    await assert.rejects(gc.submit(3), (e) => isStoreError(e, 'closed'))
  }))

void test('with syncAfterCommit: nobody hears of a batch before its sync; a failed sync rejects it', () =>
  withDb(async (db) => {
    const insert = db.prepare<[number]>('INSERT INTO t (v) VALUES (?)')
    const syncs: (() => void)[] = []
    let failNext = false
    const told: number[] = []
    const gc = new GroupCommitter<number, number>({
      db,
      apply: (v) => {
        insert.run(v)
        return v
      },
      onCommitted: (info) => told.push(...info.results),
      syncAfterCommit: () =>
        new Promise<void>((resolve, reject) => {
          const fail = failNext
          syncs.push(() => {
            if (fail) reject(new Error('EIO'))
            else resolve()
          })
        }),
    })
    let settled = false
    const first = gc.submit(1).then((v) => {
      settled = true
      return v
    })
    while (syncs.length === 0) await new Promise((r) => setImmediate(r))
    // Committed (visible to this connection) but not yet synced: not settled, nobody told.
    assert.deepEqual(rows(db), [1])
    assert.equal(settled, false)
    assert.deepEqual(told, [])
    // The connection is back to synchronous=FULL for every other transaction.
    assert.equal(
      db.prepare<[], { synchronous: number }>('PRAGMA synchronous').get()?.synchronous,
      2,
    )
    syncs.shift()?.()
    assert.equal(await first, 1)
    assert.deepEqual(told, [1])
    failNext = true
    const second = gc.submit(2)
    const closed = gc.close()
    while (syncs.length === 0) await new Promise((r) => setImmediate(r))
    syncs.shift()?.()
    await assert.rejects(second, /EIO/)
    await closed // close() waited for the sync in flight
    assert.deepEqual(told, [1])
  }))

void test('hold() keeps batches queued until release()', () =>
  withDb(async (db) => {
    const insert = db.prepare<[number]>('INSERT INTO t (v) VALUES (?)')
    const gc = new GroupCommitter<number, number>({
      db,
      apply: (v) => {
        insert.run(v)
        return v
      },
    })
    gc.hold()
    let settled = false
    const pending = Promise.all([gc.submit(1), gc.submit(2)]).then((v) => {
      settled = true
      return v
    })
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    assert.equal(settled, false)
    assert.equal(gc.commits, 0)
    assert.deepEqual(rows(db), [])
    gc.release()
    assert.deepEqual(await pending, [1, 2])
    assert.equal(gc.commits, 1)
    await gc.close()
  }))
