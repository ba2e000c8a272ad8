// SQLite-only checks for the IMAP part of the store: STATUS counts use the partial indexes
// (not a scan of the messages' flags), search runs the FTS5 MATCH once, and bodies stored
// before migration 2 are indexed in the background (message_text_pending), and again by
// trigrams after migration 3.

import { it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openSqliteDatabase } from '../../../src/store/dialects/sqlite/open-sqlite-database.ts'
import { openSqliteStore } from '../../../src/store/dialects/sqlite/open-sqlite-store.ts'
import { migrateSqlite } from '../../../src/store/dialects/sqlite/migrate.ts'
import { MIGRATIONS } from '../../../src/store/migrations.ts'
import { addAccounts, rawMessage } from './fixture.ts'

function tempDb(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-sqlite-imap-'))
  return { dir, file: path.join(dir, 'postern.db') }
}

void it('STATUS counts and SEARCH use their indexes', () => {
  const { dir, file } = tempDb()
  const db = openSqliteDatabase(file)
  try {
    migrateSqlite(db, { now: 0 })
    const plan = (sql: string, ...args: unknown[]) =>
      db
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...args)
        .map((r) => r.detail)
        .join(' | ')
    const unseen = plan(
      `SELECT count(*) FROM messages m WHERE m.mailbox_id = ? AND instr(m.flags, '"\\\\Seen"') = 0`,
      1,
    )
    assert.match(unseen, /USING (COVERING )?INDEX messages_unseen/)
    const deleted = plan(
      `SELECT uid FROM messages WHERE mailbox_id = ? AND instr(flags, '"\\\\Deleted"') > 0`,
      1,
    )
    assert.match(deleted, /USING (COVERING )?INDEX messages_deleted/)
    const search = plan(
      `SELECT uid FROM messages WHERE mailbox_id = ? AND blob_id IN
         (SELECT rowid FROM message_text WHERE message_text MATCH ?) ORDER BY uid`,
      1,
      'x',
    )
    assert.match(search, /LIST SUBQUERY .*VIRTUAL TABLE INDEX/)
  } finally {
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

void it('indexes the bodies stored before the full-text index existed', async () => {
  const { dir, file } = tempDb()
  const first = MIGRATIONS.filter((m) => m.version === 1)
  const db = openSqliteDatabase(file)
  migrateSqlite(db, { now: 0, migrations: first })
  db.close()
  // A store of that age cannot be opened by today's code before it migrates, so the old
  // rows are written by hand, as version 1 of the schema has them.
  const old = openSqliteDatabase(file)
  old.exec(`INSERT INTO domains (id, name, created_at) VALUES (1, 'example.test', 0);
    INSERT INTO accounts (id, address, domain_id, password_hash, created_at)
      VALUES (1, 'u@example.test', 1, 'x', 0);
    INSERT INTO mailboxes (id, account_id, name, uid_validity, uid_next, highest_modseq,
      message_count, total_bytes) VALUES (1, 1, 'INBOX', 1, 2, 1, 1, 10);`)
  old
    .prepare(
      `INSERT INTO message_blobs (id, size, sha256, data, refcount, received_at)
       VALUES (1, 10, '', ?, 1, 0)`,
    )
    .run(rawMessage('legacy'))
  old.exec(`INSERT INTO messages (mailbox_id, uid, modseq, blob_id, internal_date, size)
    VALUES (1, 1, 1, 1, 0, 10)`)
  old.close()
  const store = openSqliteStore({ path: file })
  try {
    assert.deepEqual(await store.messages.searchText(1, { body: 'legacy' }), [1])
    const [a = 0] = await addAccounts(store, ['v'])
    await store.messages.append({ accountId: a, mailbox: 'INBOX', raw: rawMessage('fresh') })
    const inbox = await store.mailboxes.get(a, 'INBOX')
    assert.deepEqual(await store.messages.searchText(inbox?.id ?? 0, { text: 'fresh' }), [1])
  } finally {
    await store.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

void it('migration 3 re-indexes by trigrams the bodies the word index held', async () => {
  const { dir, file } = tempDb()
  const db = openSqliteDatabase(file)
  migrateSqlite(db, { now: 0, migrations: MIGRATIONS.filter((m) => m.version <= 2) })
  db.exec(`INSERT INTO domains (id, name, created_at) VALUES (1, 'example.test', 0);
    INSERT INTO accounts (id, address, domain_id, password_hash, created_at)
      VALUES (1, 'u@example.test', 1, 'x', 0);
    INSERT INTO mailboxes (id, account_id, name, uid_validity, uid_next, highest_modseq,
      message_count, total_bytes) VALUES (1, 1, 'INBOX', 1, 2, 1, 1, 10);`)
  db.prepare(
    `INSERT INTO message_blobs (id, size, sha256, data, refcount, received_at)
     VALUES (1, 10, '', ?, 1, 0)`,
  ).run(rawMessage('legacy'))
  db.exec(`INSERT INTO messages (mailbox_id, uid, modseq, blob_id, internal_date, size)
    VALUES (1, 1, 1, 1, 0, 10);
    INSERT INTO message_text (rowid, body) VALUES (1, 'legacy');`)
  db.close()
  const store = openSqliteStore({ path: file })
  try {
    assert.deepEqual(await store.messages.searchText(1, { body: 'EGAC' }), [1])
    assert.deepEqual(await store.messages.searchText(1, { body: 'nothing' }), [])
  } finally {
    await store.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
