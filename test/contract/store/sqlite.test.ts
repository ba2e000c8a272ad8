// Runs the storage contract suite on SQLite, plus SQLite-only checks: pragmas,
// migrations, and crash safety (a writer SIGKILLed mid-stream loses no acknowledged
// message and leaves consistent counters).

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openSqliteDatabase } from '../../../src/store/dialects/sqlite/open-sqlite-database.ts'
import { openSqliteStore } from '../../../src/store/dialects/sqlite/open-sqlite-store.ts'
import { openStore } from '../../../src/store/open-store.ts'
import { MIGRATIONS } from '../../../src/store/migrations.ts'
import { runStoreContract } from './store.contract.ts'
import { makeSqliteFixture } from './sqlite-fixture.ts'
import { addAccounts, rawMessage } from './fixture.ts'

runStoreContract('sqlite', makeSqliteFixture)

function tempDb(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-sqlite-'))
  return { dir, file: path.join(dir, 'postern.db') }
}

void describe('sqlite engine', () => {
  void it('opens with WAL, synchronous=FULL, foreign keys, and records migrations', async () => {
    const { dir, file } = tempDb()
    const store = openSqliteStore({ path: file, clock: () => 1_700_000_000_000 })
    const [id = 0] = await addAccounts(store, ['u'])
    assert.equal((await store.mailboxes.get(id, 'INBOX'))?.uidValidity, 1_700_000_000)
    await store.close()
    const db = openSqliteDatabase(file, { readonly: true })
    try {
      assert.deepEqual(db.prepare('PRAGMA journal_mode').get(), { journal_mode: 'wal' })
      assert.deepEqual(db.prepare('PRAGMA synchronous').get(), { synchronous: 2 })
      assert.deepEqual(db.prepare('PRAGMA foreign_keys').get(), { foreign_keys: 1 })
      const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()
      assert.deepEqual(
        versions,
        MIGRATIONS.map((m) => ({ version: m.version })),
      )
    } finally {
      db.close()
    }
    // Reopening does not re-run migrations (it would fail on CREATE TABLE).
    await openSqliteStore({ path: file }).close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  void it('openStore picks SQLite for an empty url and refuses postgres for now', async () => {
    const { dir, file } = tempDb()
    const store = openStore({ path: file, url: '' })
    assert.deepEqual(await store.domains.list(), [])
    await store.close()
    assert.throws(() => openStore({ path: file, url: 'postgres://u:p@localhost/db' }), {
      message: 'PostgreSQL engine is not available yet',
    })
    fs.rmSync(dir, { recursive: true, force: true })
  })

  void it('loses no acknowledged message when the writer is SIGKILLed', async () => {
    const { dir, file } = tempDb()
    const setup = openSqliteStore({ path: file })
    const [accountId = 0] = await addAccounts(setup, ['u'])
    await setup.close()

    const acked = await runAndKill(file, accountId, 300)
    assert.ok(acked.length > 0, 'the writer acknowledged something before the kill')

    const store = openSqliteStore({ path: file })
    try {
      const box = await store.mailboxes.get(accountId, 'INBOX')
      assert.ok(box)
      const rows = await store.messages.list(box.id)
      const byUid = new Map(rows.map((r) => [r.uid, r]))
      for (const a of acked) {
        const row = byUid.get(a.uid)
        assert.ok(row, `acknowledged uid ${a.uid} is stored`)
        assert.equal(row.blobId, a.blobId)
        const body = await store.messages.body(row.blobId)
        assert.equal(body?.toString(), rawMessage(`seq-${a.seq}`).toString())
      }
      const seqs = rows.length
      assert.equal(new Set(acked.map((a) => a.seq)).size, acked.length)
      assert.ok(seqs >= acked.length)
      assert.deepEqual(
        rows.map((r) => r.uid),
        Array.from({ length: rows.length }, (_, i) => i + 1),
      )
      assert.equal(box.messageCount, rows.length)
      assert.equal(box.uidNext, rows.length + 1)
      assert.equal(box.highestModseq, Math.max(0, ...rows.map((r) => r.modseq)))
      assert.equal(
        box.totalBytes,
        rows.reduce((s, r) => s + r.size, 0),
      )
      assert.equal(await store.messages.countAll(), rows.length)
    } finally {
      await store.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

interface Ack {
  seq: number
  uid: number
  blobId: number
}

/** Starts the crash writer, SIGKILLs it `afterMs` after its first ack, returns the acks. */
function runAndKill(file: string, accountId: number, afterMs: number): Promise<Ack[]> {
  const script = path.join(import.meta.dirname, 'crash-writer.ts')
  const child = spawn(process.execPath, [script, file, String(accountId)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  let timer: NodeJS.Timeout | undefined
  const giveUp = setTimeout(() => child.kill('SIGKILL'), 10_000)
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    timer ??= setTimeout(() => child.kill('SIGKILL'), afterMs)
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (_code, signal) => {
      clearTimeout(giveUp)
      if (timer) clearTimeout(timer)
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited by itself (signal ${String(signal)})`))
        return
      }
      const acks = out
        .split('\n')
        .filter((l) => /^\d+ \d+ \d+$/.test(l))
        .map((l) => {
          const [seq = 0, uid = 0, blobId = 0] = l.split(' ').map(Number)
          return { seq, uid, blobId }
        })
      resolve(acks)
    })
  })
}
