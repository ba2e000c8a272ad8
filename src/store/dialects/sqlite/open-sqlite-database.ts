// Opens a better-sqlite3 connection configured for Postern: WAL, synchronous=FULL (every
// COMMIT fsyncs the WAL, so a committed transaction survives a crash or power loss),
// foreign keys on, and a busy timeout.
//
// Workaround (better-sqlite3 12 on Node >= 24.19): the addon's Database and Statement
// objects derive from node::ObjectWrap, whose destructor now aborts the process
// ("Assertion failed: (env) != nullptr") when V8 collects them outside a JS context
// (idle-time GC, or the last GC at exit). So no handle may ever become garbage: every
// connection and every statement prepared on it is kept reachable for the life of the
// process (they are few: statements are prepared once per store), and PRAGMAs are set
// with exec(), which creates no Statement object. Remove this once better-sqlite3 13
// (Node-API) is adopted.

import Database from 'better-sqlite3'

const retained: object[] = []

function retain<T extends object>(handle: T): T {
  retained.push(handle)
  return handle
}

export interface OpenSqliteDatabaseOptions {
  /** How long to wait for a lock held by another connection; 5000 ms by default. */
  busyTimeoutMs?: number
  readonly?: boolean
}

export function openSqliteDatabase(
  file: string,
  opts: OpenSqliteDatabaseOptions = {},
): Database.Database {
  const db = retain(new Database(file, { readonly: opts.readonly ?? false }))
  const prepare = db.prepare.bind(db)
  db.prepare = (source: string) => retain(prepare(source))
  try {
    if (!opts.readonly) db.exec('PRAGMA journal_mode = WAL')
    db.exec('PRAGMA synchronous = FULL')
    db.exec('PRAGMA foreign_keys = ON')
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`)
  } catch (err) {
    db.close()
    throw err
  }
  return db
}
