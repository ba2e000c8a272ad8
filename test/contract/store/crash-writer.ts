// Child process for the crash-safety test: opens the store at argv[2] and accepts
// messages for account argv[3] in a loop (32 in flight), printing "<seq> <uid> <blobId>"
// for each acknowledged one, until it is killed.

import { openSqliteStore } from '../../../src/store/dialects/sqlite/open-sqlite-store.ts'
import { rawMessage } from './fixture.ts'

const [, , file, account] = process.argv
if (file === undefined || account === undefined) throw new Error('usage: crash-writer DB ACCOUNT')
const accountId = Number(account)
const store = openSqliteStore({ path: file })
let seq = 0

function next(): void {
  const n = seq++
  store
    .accept({
      raw: rawMessage(`seq-${n}`),
      receivedAt: Date.now(),
      mailFrom: 'a@sender.test',
      local: [{ accountId, rcptTo: 'u' }],
      remote: [],
    })
    .then((r) => {
      process.stdout.write(`${n} ${r.delivered[0]?.uid ?? 0} ${r.blobId}\n`)
      next()
    })
    .catch((err: unknown) => {
      process.stderr.write(`accept failed: ${String(err)}\n`)
      process.exit(1)
    })
}

for (let i = 0; i < 32; i++) next()
