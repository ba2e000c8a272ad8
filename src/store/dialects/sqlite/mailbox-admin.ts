// Mailboxes on SQLite with what the IMAP server needs beyond reading them: CREATE (with
// CREATE-SPECIAL-USE and missing superiors), DELETE, RENAME (INBOX's special case included),
// subscriptions, STATUS / LIST-STATUS counters and the account's quota usage. Writes go
// through the group committer (store-write.ts).
//
// Hierarchy: delimiter "/". Superior names are real, selectable mailboxes (CREATE makes the
// missing ones), so there are no \Noselect mailboxes, and DELETE refuses a mailbox that has
// inferiors ('mailbox-has-children', IMAP HASCHILDREN: RFC 9051 6.3.5 allows this).
// UIDVALIDITY: accounts.last_uid_validity remembers the greatest one given, so a mailbox
// created again under a deleted one's name gets a greater value (RFC 9051 2.3.1.1).
// STATUS UNSEEN and the \Deleted count use the partial indexes messages_unseen and
// messages_deleted (their WHERE terms are repeated verbatim below).

import type { Database, Statement } from 'better-sqlite3'
import type {
  Mailbox,
  MailboxChange,
  MailboxRepo,
  MailboxStatus,
  QuotaUsage,
  SpecialUse,
} from '../../types.ts'
import { StoreError } from '../../store-error.ts'
import { asAsync } from './as-async.ts'
import { canonicalMailboxName, DELIMITER, superiorNames, validMailboxName } from './mailbox-name.ts'
import { columns, SqliteMailboxRepo, toMailbox, type MailboxRow } from './mailbox-repo.ts'
import type { MessageWriter } from './message-writer.ts'
import type { SubmitWrite, Written } from './store-write.ts'

const SPECIAL_USES: readonly string[] = ['\\Sent', '\\Drafts', '\\Junk', '\\Trash', '\\Archive']

const STATUS = `SELECT ${columns},
  (SELECT count(*) FROM messages m
    WHERE m.mailbox_id = mb.id AND instr(m.flags, '"\\\\Seen"') = 0) AS unseen_count,
  (SELECT count(*) FROM messages m
    WHERE m.mailbox_id = mb.id AND instr(m.flags, '"\\\\Deleted"') > 0) AS deleted_count
  FROM mailboxes mb`

interface StatusRow extends MailboxRow {
  unseen_count: number
  deleted_count: number
}

function toStatus(r: StatusRow): MailboxStatus {
  return { ...toMailbox(r), unseenCount: r.unseen_count, deletedCount: r.deleted_count }
}

export interface MailboxAdminOptions {
  clock: () => number
  submit: SubmitWrite
  writer: MessageWriter
}

export class SqliteMailboxAdmin extends SqliteMailboxRepo implements MailboxRepo {
  readonly #clock: () => number
  readonly #submit: SubmitWrite
  readonly #writer: MessageWriter
  readonly #byName: Statement<[number, string], MailboxRow>
  readonly #children: Statement<[number, string, string], MailboxRow>
  readonly #accountExists: Statement<[number], { id: number }>
  readonly #nextUidValidity: Statement<[number, number, number], { v: number }>
  readonly #insert: Statement<[number, string, string | null, number], MailboxRow>
  readonly #delete: Statement<[number]>
  readonly #rename: Statement<[string, number]>
  readonly #uids: Statement<[number], { uid: number }>
  readonly #subscribe: Statement<[number, string]>
  readonly #unsubscribe: Statement<[number, string]>
  readonly #renameSubscription: Statement<[string, number, string]>
  readonly #subscriptions: Statement<[number], { name: string }>
  readonly #status: Statement<[number, string], StatusRow>
  readonly #listStatus: Statement<[number], StatusRow>
  readonly #usage: Statement<[number], { limit_bytes: number | null; used: number; n: number }>

  constructor(db: Database, opts: MailboxAdminOptions) {
    super(db)
    this.#clock = opts.clock
    this.#submit = opts.submit
    this.#writer = opts.writer
    this.#byName = db.prepare(`SELECT ${columns} FROM mailboxes WHERE account_id = ? AND name = ?`)
    this.#children = db.prepare(
      `SELECT ${columns} FROM mailboxes
       WHERE account_id = ? AND substr(name, 1, length(?)) = ? ORDER BY name`,
    )
    this.#accountExists = db.prepare('SELECT id FROM accounts WHERE id = ?')
    this.#nextUidValidity = db.prepare(
      `UPDATE accounts SET last_uid_validity = max(last_uid_validity + 1, ?,
         (SELECT coalesce(max(uid_validity), 0) + 1 FROM mailboxes WHERE account_id = ?))
       WHERE id = ? RETURNING last_uid_validity AS v`,
    )
    this.#insert = db.prepare(
      `INSERT INTO mailboxes (account_id, name, special_use, uid_validity, uid_next)
       VALUES (?, ?, ?, ?, 1) RETURNING ${columns}`,
    )
    this.#delete = db.prepare('DELETE FROM mailboxes WHERE id = ?')
    this.#rename = db.prepare('UPDATE mailboxes SET name = ? WHERE id = ?')
    this.#uids = db.prepare('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid')
    this.#subscribe = db.prepare(
      'INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)',
    )
    this.#unsubscribe = db.prepare('DELETE FROM subscriptions WHERE account_id = ? AND name = ?')
    this.#renameSubscription = db.prepare(
      'UPDATE OR IGNORE subscriptions SET name = ? WHERE account_id = ? AND name = ?',
    )
    this.#subscriptions = db.prepare(
      'SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name',
    )
    this.#status = db.prepare(`${STATUS} WHERE account_id = ? AND name = ?`)
    this.#listStatus = db.prepare(`${STATUS} WHERE account_id = ? ORDER BY name`)
    this.#usage = db.prepare(
      `SELECT quota_bytes AS limit_bytes,
         (SELECT coalesce(sum(total_bytes), 0) FROM mailboxes WHERE account_id = a.id) AS used,
         (SELECT coalesce(sum(message_count), 0) FROM mailboxes WHERE account_id = a.id) AS n
       FROM accounts a WHERE id = ?`,
    )
  }

  create(input: {
    accountId: number
    name: string
    specialUse?: SpecialUse | null
  }): Promise<Mailbox> {
    return this.#submit(() => {
      const changes: MailboxChange[] = []
      const name = this.#newName(input.accountId, input.name)
      const special = input.specialUse ?? null
      if (special !== null && !SPECIAL_USES.includes(special)) {
        throw new StoreError('invalid-input', `cannot create a mailbox with special-use ${special}`)
      }
      this.#createSuperiors(input.accountId, name, changes)
      const value = this.#insertBox(input.accountId, name, special, changes)
      return { value, changes }
    })
  }

  delete(accountId: number, name: string): Promise<void> {
    return this.#submit(() => {
      const box = this.#existing(accountId, name)
      if (box.name === 'INBOX') throw new StoreError('mailbox-forbidden', 'INBOX cannot be deleted')
      if (this.#inferiors(accountId, box.name).length > 0) {
        throw new StoreError('mailbox-has-children', `mailbox ${box.name} has inferior names`)
      }
      // Cascades to its messages (bodies released by trigger, index rows with them) and
      // its vanished UIDs.
      this.#delete.run(box.id)
      const change: MailboxChange = {
        accountId,
        mailboxId: box.id,
        uid: 0,
        kind: 'mailbox-deleted',
        name: box.name,
      }
      return { value: undefined, changes: [change] }
    })
  }

  rename(accountId: number, from: string, to: string): Promise<Mailbox> {
    return this.#submit(() => {
      const box = this.#existing(accountId, from)
      const target = this.#newName(accountId, to)
      return box.name === 'INBOX'
        ? this.#renameInbox(accountId, box, target)
        : this.#renameTree(accountId, box, target)
    })
  }

  subscribe(accountId: number, name: string): Promise<void> {
    return this.#submit(() => {
      this.#subscribe.run(accountId, canonicalMailboxName(name))
      return { value: undefined, changes: [] }
    })
  }

  unsubscribe(accountId: number, name: string): Promise<void> {
    return this.#submit(() => {
      this.#unsubscribe.run(accountId, canonicalMailboxName(name))
      return { value: undefined, changes: [] }
    })
  }

  subscriptions(accountId: number): Promise<string[]> {
    return asAsync(() => this.#subscriptions.all(accountId).map((r) => r.name))
  }

  status(accountId: number, name: string): Promise<MailboxStatus | undefined> {
    return asAsync(() => {
      const row = this.#status.get(accountId, canonicalMailboxName(name))
      return row ? toStatus(row) : undefined
    })
  }

  listStatus(accountId: number): Promise<MailboxStatus[]> {
    return asAsync(() => this.#listStatus.all(accountId).map(toStatus))
  }

  quota(accountId: number): Promise<QuotaUsage> {
    return asAsync(() => {
      const q = this.#usage.get(accountId)
      if (!q) throw new StoreError('account-not-found', `account ${accountId} does not exist`)
      return { usedBytes: q.used, messageCount: q.n, limitBytes: q.limit_bytes }
    })
  }

  /** A valid name that is free ('invalid-input', 'mailbox-exists' otherwise). */
  #newName(accountId: number, raw: string): string {
    const name = validMailboxName(raw)
    if (name === undefined)
      throw new StoreError('invalid-input', `bad mailbox name ${JSON.stringify(raw)}`)
    if (!this.#accountExists.get(accountId)) {
      throw new StoreError('account-not-found', `account ${accountId} does not exist`)
    }
    if (name === 'INBOX' || this.#byName.get(accountId, name)) {
      throw new StoreError('mailbox-exists', `mailbox ${name} already exists`)
    }
    return name
  }

  #inferiors(accountId: number, name: string): MailboxRow[] {
    const prefix = name + DELIMITER
    return this.#children.all(accountId, prefix, prefix)
  }

  #existing(accountId: number, name: string): MailboxRow {
    const canonical = canonicalMailboxName(name)
    const box = this.#byName.get(accountId, canonical)
    if (!box) throw new StoreError('mailbox-not-found', `mailbox ${canonical} does not exist`)
    return box
  }

  #createSuperiors(accountId: number, name: string, changes: MailboxChange[]): void {
    for (const sup of superiorNames(name)) {
      if (!this.#byName.get(accountId, sup)) this.#insertBox(accountId, sup, null, changes)
    }
  }

  #insertBox(
    accountId: number,
    name: string,
    special: string | null,
    changes: MailboxChange[],
  ): Mailbox {
    const uidValidity = this.#nextUidValidity.get(
      Math.floor(this.#clock() / 1000),
      accountId,
      accountId,
    )?.v
    if (uidValidity === undefined || uidValidity >= 2 ** 32) {
      throw new Error(`no UIDVALIDITY left for account ${accountId}`)
    }
    const row = this.#insert.get(accountId, name, special, uidValidity)
    if (!row) throw new Error('mailbox insert returned no row')
    changes.push({ accountId, mailboxId: row.id, uid: 0, kind: 'mailbox-created', name })
    return toMailbox(row)
  }

  /** RFC 9051 6.3.6: INBOX's messages move to a new mailbox; INBOX and its inferiors stay. */
  #renameInbox(accountId: number, inbox: MailboxRow, target: string): Written<Mailbox> {
    const changes: MailboxChange[] = []
    this.#createSuperiors(accountId, target, changes)
    const created = this.#insertBox(accountId, target, null, changes)
    const uids = this.#uids.all(inbox.id).map((r) => r.uid)
    if (uids.length > 0) {
      const moved = this.#writer.copy(
        { mailboxId: inbox.id, uids, targetMailboxId: created.id },
        true,
      )
      changes.push(...moved.changes)
    }
    const row = this.#byName.get(accountId, target)
    if (!row) throw new Error('renamed INBOX target vanished')
    return { value: toMailbox(row), changes }
  }

  /** Renames the mailbox and its inferiors, keeping everything but their names. */
  #renameTree(accountId: number, box: MailboxRow, target: string): Written<Mailbox> {
    if (target.startsWith(box.name + DELIMITER)) {
      throw new StoreError('mailbox-forbidden', `cannot move ${box.name} into itself`)
    }
    const changes: MailboxChange[] = []
    this.#createSuperiors(accountId, target, changes)
    const tree = [box, ...this.#inferiors(accountId, box.name)]
    for (const r of tree) {
      const name = target + r.name.slice(box.name.length)
      if (r !== box && this.#byName.get(accountId, name)) {
        throw new StoreError('mailbox-exists', `mailbox ${name} already exists`)
      }
      this.#rename.run(name, r.id)
      this.#renameSubscription.run(name, accountId, r.name)
      changes.push({
        accountId,
        mailboxId: r.id,
        uid: 0,
        kind: 'mailbox-renamed',
        name,
        oldName: r.name,
      })
    }
    return { value: toMailbox({ ...box, name: target }), changes }
  }
}
