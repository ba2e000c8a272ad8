// The store's change feed (store.onChange), fanned out by mailbox to the IMAP sessions that
// have it selected, so that one listener serves every connection (RFC 9051 7: servers send
// untagged updates for changes made by others; 5.2: the mailbox size updates). Also counts
// authenticated sessions per account (the per-account connection limit).
import type { MailboxChange, Store } from '../store/types.ts'
import type { AccountSlots } from './session-state.ts'

export type MailboxWatcher = (changes: readonly MailboxChange[]) => void

export class MailboxHub implements AccountSlots {
  readonly #watchers = new Map<number, Set<MailboxWatcher>>()
  readonly #perAccount = new Map<number, number>()
  readonly #maxPerAccount: number
  readonly #unsubscribe: () => void

  constructor(opts: { store: Store; maxConnectionsPerAccount: number }) {
    this.#maxPerAccount = opts.maxConnectionsPerAccount
    this.#unsubscribe = opts.store.onChange((changes) => {
      this.#dispatch(changes)
    })
  }

  /** Calls `watcher` with every committed change of the mailbox until the returned stop. */
  watch(mailboxId: number, watcher: MailboxWatcher): () => void {
    let set = this.#watchers.get(mailboxId)
    if (set === undefined) {
      set = new Set()
      this.#watchers.set(mailboxId, set)
    }
    set.add(watcher)
    return () => {
      const current = this.#watchers.get(mailboxId)
      current?.delete(watcher)
      if (current?.size === 0) this.#watchers.delete(mailboxId)
    }
  }

  acquire(accountId: number): (() => void) | undefined {
    const count = this.#perAccount.get(accountId) ?? 0
    if (count >= this.#maxPerAccount) return undefined
    this.#perAccount.set(accountId, count + 1)
    let isReleased = false
    return () => {
      if (isReleased) return
      isReleased = true
      const left = (this.#perAccount.get(accountId) ?? 1) - 1
      if (left <= 0) this.#perAccount.delete(accountId)
      else this.#perAccount.set(accountId, left)
    }
  }

  close(): void {
    this.#unsubscribe()
    this.#watchers.clear()
  }

  #dispatch(changes: readonly MailboxChange[]): void {
    const byMailbox = new Map<number, MailboxChange[]>()
    for (const change of changes) {
      if (!this.#watchers.has(change.mailboxId)) continue
      let list = byMailbox.get(change.mailboxId)
      if (list === undefined) {
        list = []
        byMailbox.set(change.mailboxId, list)
      }
      list.push(change)
    }
    for (const [mailboxId, list] of byMailbox) {
      for (const watcher of this.#watchers.get(mailboxId) ?? []) watcher(list)
    }
  }
}
