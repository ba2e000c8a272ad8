// Applies the numbered migrations of store/migrations.ts to a SQLite database, each in
// its own transaction, recording them in `schema_migrations`.

import type { Database } from 'better-sqlite3'
import { MIGRATIONS, type Migration } from '../../migrations.ts'

export function migrateSqlite(
  db: Database,
  opts: { now: number; migrations?: readonly Migration[] },
): void {
  const migrations = [...(opts.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version)
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`)
  const applied = new Set(
    db
      .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
      .all()
      .map((r) => r.version),
  )
  const latest = migrations.at(-1)?.version ?? 0
  for (const version of applied) {
    if (version > latest) {
      throw new Error(
        `database schema version ${version} is newer than this program knows (${latest})`,
      )
    }
  }
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  )
  for (const m of migrations) {
    if (applied.has(m.version)) continue
    db.transaction(() => {
      db.exec(m.up)
      record.run(m.version, m.name, opts.now)
    }).immediate()
  }
}
