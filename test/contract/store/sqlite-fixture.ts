// Makes SQLite store fixtures for the contract suite: a fresh temp file per test, a
// commit counter from the onCommit hook, and reopen on the same file.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openSqliteStore } from '../../../src/store/dialects/sqlite/open-sqlite-store.ts'
import type { Store } from '../../../src/store/types.ts'
import type { StoreFixture } from './fixture.ts'

export function makeSqliteFixture(): Promise<StoreFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-store-'))
  const file = path.join(dir, 'postern.db')
  let commits = 0
  const open = (): Store =>
    openSqliteStore({
      path: file,
      onCommit: () => {
        commits++
      },
    })
  let current = open()
  return Promise.resolve({
    get store() {
      return current
    },
    commitCount: () => commits,
    reopen: async () => {
      await current.close()
      current = open()
      return current
    },
    cleanup: async () => {
      await current.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  })
}
