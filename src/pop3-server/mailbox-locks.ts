// The POP3 maildrop lock (RFC 1939 8: the server should lock the maildrop for the session):
// at most one POP3 session per mailbox in this process, across the pop3 and pop3s listeners.
// A second session gets "-ERR [IN-USE]" (RFC 2449 8.1.2). In-process only: several nodes
// sharing one PostgreSQL database will need a lock in the database.

export class MailboxLocks {
  readonly #held = new Set<number>()

  /** Takes the lock; returns its release function, or undefined when it is held. */
  tryLock(mailboxId: number): (() => void) | undefined {
    if (this.#held.has(mailboxId)) return undefined
    this.#held.add(mailboxId)
    let isReleased = false
    return () => {
      if (isReleased) return
      isReleased = true
      this.#held.delete(mailboxId)
    }
  }

  isLocked(mailboxId: number): boolean {
    return this.#held.has(mailboxId)
  }
}
