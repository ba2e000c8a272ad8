// Opens the store engine the configuration asks for: SQLite at `path` when `url` is
// empty; PostgreSQL (`postgres://` URLs) is not implemented yet and fails clearly.

import type { Store } from './types.ts'
import { openSqliteStore, type CommitInfo } from './dialects/sqlite/open-sqlite-store.ts'

export interface OpenStoreOptions {
  /** SQLite database file, used when `url` is empty. */
  path: string
  /** `postgres://...` selects PostgreSQL; empty or absent selects SQLite. */
  url?: string
  /** Epoch ms; Date.now by default. */
  clock?: () => number
  /** Called after each group commit (for metrics). */
  onCommit?: (info: CommitInfo) => void
}

export function openStore(opts: OpenStoreOptions): Store {
  const url = opts.url?.trim() ?? ''
  if (url === '') {
    const { clock, onCommit } = opts
    return openSqliteStore({
      path: opts.path,
      ...(clock ? { clock } : {}),
      ...(onCommit ? { onCommit } : {}),
    })
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new Error('PostgreSQL engine is not available yet')
  }
  throw new Error(`unsupported store url: ${url.replace(/\/\/[^@/]*@/, '//***@')}`)
}
