// Mailboxes on SQLite: reading an account's mailboxes and their counters (UIDNEXT,
// HIGHESTMODSEQ, message count and size), which the accept path keeps up to date.

import type { Database, Statement } from 'better-sqlite3'
import type { Mailbox, MailboxRepo, SpecialUse } from '../../types.ts'
import { asAsync } from './as-async.ts'
import { canonicalMailboxName } from './mailbox-name.ts'

export interface MailboxRow {
  id: number
  account_id: number
  name: string
  special_use: string | null
  uid_validity: number
  uid_next: number
  highest_modseq: number
  message_count: number
  total_bytes: number
}

export const columns = `id, account_id, name, special_use, uid_validity, uid_next, highest_modseq,
  message_count, total_bytes`

export function toMailbox(r: MailboxRow): Mailbox {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    specialUse: r.special_use as SpecialUse | null,
    uidValidity: r.uid_validity,
    uidNext: r.uid_next,
    highestModseq: r.highest_modseq,
    messageCount: r.message_count,
    totalBytes: r.total_bytes,
  }
}

/** Reading mailboxes; mailbox-admin.ts adds the rest of MailboxRepo. */
export class SqliteMailboxRepo implements Pick<MailboxRepo, 'list' | 'get'> {
  readonly #list: Statement<[number], MailboxRow>
  readonly #get: Statement<[number, string], MailboxRow>

  constructor(db: Database) {
    this.#list = db.prepare(`SELECT ${columns} FROM mailboxes WHERE account_id = ? ORDER BY id`)
    this.#get = db.prepare(`SELECT ${columns} FROM mailboxes WHERE account_id = ? AND name = ?`)
  }

  list(accountId: number): Promise<Mailbox[]> {
    return asAsync(() => this.#list.all(accountId).map(toMailbox))
  }

  get(accountId: number, name: string): Promise<Mailbox | undefined> {
    return asAsync(() => {
      const row = this.#get.get(accountId, canonicalMailboxName(name))
      return row ? toMailbox(row) : undefined
    })
  }
}
