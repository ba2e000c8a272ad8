// A write on the SQLite store: a synchronous function that runs inside a group-commit batch
// (its own SAVEPOINT, so a throw rolls back that write alone) and returns its value and the
// changes to tell the change feed once the batch's COMMIT is on disk. Every write of the
// store goes through the one group committer, so each is durable before its promise settles.

import type { MailboxChange } from '../../types.ts'

export interface Written<T> {
  value: T
  changes: MailboxChange[]
}

export type StoreWrite = () => Written<unknown>

/** Queues a write; resolves with its value after the commit holding it is on disk. */
export type SubmitWrite = <T>(write: () => Written<T>) => Promise<T>
