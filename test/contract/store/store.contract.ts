// The storage contract suite: every store engine runs it (SQLite always; PostgreSQL when
// its engine exists and PG_URL is set).

import { describe } from 'node:test'
import { runDirectoryContract } from './directory.contract.ts'
import { runScramContract } from './scram.contract.ts'
import { runAcceptContract } from './accept.contract.ts'
import { runExpungeContract } from './expunge.contract.ts'
import { runMailboxAdminContract } from './mailbox-admin.contract.ts'
import { runImapMessagesContract } from './imap-messages.contract.ts'
import { runSearchContract } from './search.contract.ts'
import type { MakeStore } from './fixture.ts'

export type { MakeStore, StoreFixture } from './fixture.ts'

export function runStoreContract(name: string, makeStore: MakeStore): void {
  void describe(`store contract: ${name}`, () => {
    runDirectoryContract(makeStore)
    runAcceptContract(makeStore)
    runExpungeContract(makeStore)
    runMailboxAdminContract(makeStore)
    runImapMessagesContract(makeStore)
    runSearchContract(makeStore)
    runScramContract(makeStore)
  })
}
