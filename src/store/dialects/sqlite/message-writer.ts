// The IMAP writes on messages, as synchronous functions that run inside a group-commit batch
// (store-write.ts): APPEND, STORE (flags with UNCHANGEDSINCE), COPY, MOVE and EXPUNGE of
// \Deleted messages. MODSEQ (RFC 7162): each message a write adds or changes gets its own
// new value, from the mailbox's HIGHESTMODSEQ; expunges go through expungeNow (message-repo.ts),
// which records the UIDs for VANISHED. Bodies are stored once and shared by copies
// (message_blobs.refcount), and indexed for search when stored.

import { createHash } from 'node:crypto'
import type { Database, Statement } from 'better-sqlite3'
import type {
  AppendInput,
  AppendResult,
  CopyInput,
  CopyResult,
  FlagState,
  FlagUpdateInput,
  FlagUpdateResult,
  MailboxChange,
} from '../../types.ts'
import { StoreError } from '../../store-error.ts'
import { applyFlags, normaliseFlags, sameFlags } from './flags.ts'
import { canonicalMailboxName } from './mailbox-name.ts'
import type { SearchIndex } from './search-index.ts'
import type { Written } from './store-write.ts'

interface BoxRow {
  id: number
  account_id: number
  uid_validity: number
}

interface Claimed {
  uid_next: number
  highest_modseq: number
  uid_validity: number
  account_id: number
}

type ExpungeNow = (
  mailboxId: number,
  uids: readonly number[],
) => { removed: number[]; accountId: number | undefined }

const DELETED = `instr(flags, '"\\\\Deleted"') > 0`

export class MessageWriter {
  readonly #clock: () => number
  readonly #index: SearchIndex
  readonly #expungeNow: ExpungeNow
  readonly #boxByName: Statement<[number, string], BoxRow>
  readonly #boxById: Statement<[number], BoxRow>
  readonly #quota: Statement<[number], { limit_bytes: number | null; used: number }>
  readonly #insertBlob: Statement<[number, string, Buffer, number], { id: number }>
  readonly #claim: Statement<[number, number, number, number, number, number], Claimed>
  readonly #bumpModseq: Statement<[number, number], { highest_modseq: number }>
  readonly #insert: Statement<[number, number, number, number, string, number, number]>
  readonly #copyRow: Statement<[number, number, number, number, number]>
  readonly #source: Statement<[number, number], { blob_id: number; size: number }>
  readonly #shareBlob: Statement<[number]>
  readonly #flagsOf: Statement<[number, number], { flags: string; modseq: number }>
  readonly #setFlags: Statement<[string, number, number, number]>
  readonly #deleted: Statement<[number], { uid: number }>

  constructor(
    db: Database,
    opts: { clock: () => number; index: SearchIndex; expungeNow: ExpungeNow },
  ) {
    this.#clock = opts.clock
    this.#index = opts.index
    this.#expungeNow = opts.expungeNow
    const box = 'SELECT id, account_id, uid_validity FROM mailboxes'
    this.#boxByName = db.prepare(`${box} WHERE account_id = ? AND name = ?`)
    this.#boxById = db.prepare(`${box} WHERE id = ?`)
    this.#quota = db.prepare(
      `SELECT quota_bytes AS limit_bytes,
         (SELECT coalesce(sum(total_bytes), 0) FROM mailboxes WHERE account_id = a.id) AS used
       FROM accounts a WHERE id = ?`,
    )
    this.#insertBlob = db.prepare(
      `INSERT INTO message_blobs (size, sha256, data, refcount, received_at)
       VALUES (?, ?, ?, 1, ?) RETURNING id`,
    )
    // Claims `n` UIDs and `n` MODSEQs and updates the counters in one statement.
    this.#claim = db.prepare(
      `UPDATE mailboxes SET uid_next = uid_next + ?, highest_modseq = highest_modseq + ?,
         message_count = message_count + ?, total_bytes = total_bytes + ?
       WHERE id = ? AND account_id = ?
       RETURNING uid_next, highest_modseq, uid_validity, account_id`,
    )
    this.#bumpModseq = db.prepare(
      `UPDATE mailboxes SET highest_modseq = highest_modseq + ? WHERE id = ?
       RETURNING highest_modseq`,
    )
    this.#insert = db.prepare(
      `INSERT INTO messages (mailbox_id, uid, modseq, blob_id, flags, internal_date, size)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#copyRow = db.prepare(
      `INSERT INTO messages (mailbox_id, uid, modseq, blob_id, flags, internal_date, size,
         rcpt_to, dsn_notify, dsn_orcpt)
       SELECT ?, ?, ?, blob_id, flags, internal_date, size, rcpt_to, dsn_notify, dsn_orcpt
       FROM messages WHERE mailbox_id = ? AND uid = ?`,
    )
    this.#source = db.prepare('SELECT blob_id, size FROM messages WHERE mailbox_id = ? AND uid = ?')
    this.#shareBlob = db.prepare('UPDATE message_blobs SET refcount = refcount + 1 WHERE id = ?')
    this.#flagsOf = db.prepare(
      'SELECT flags, modseq FROM messages WHERE mailbox_id = ? AND uid = ?',
    )
    this.#setFlags = db.prepare(
      'UPDATE messages SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?',
    )
    this.#deleted = db.prepare(
      `SELECT uid FROM messages WHERE mailbox_id = ? AND ${DELETED} ORDER BY uid`,
    )
  }

  append(input: AppendInput): Written<AppendResult> {
    const flags = JSON.stringify(normaliseFlags(input.flags ?? []))
    const name = canonicalMailboxName(input.mailbox)
    const box = this.#boxByName.get(input.accountId, name)
    if (!box) throw new StoreError('mailbox-not-found', `mailbox ${name} does not exist`)
    const size = input.raw.length
    this.#checkQuota(box.account_id, size)
    const now = this.#clock()
    const sha = createHash('sha256').update(input.raw).digest('hex')
    const blob = this.#insertBlob.get(size, sha, input.raw, now)
    if (!blob) throw new Error('blob insert returned no row')
    const c = this.#claimOrThrow(box, 1, size)
    const uid = c.uid_next - 1
    this.#insert.run(box.id, uid, c.highest_modseq, blob.id, flags, input.internalDate ?? now, size)
    this.#index.index(blob.id, input.raw)
    const value = { mailboxId: box.id, uidValidity: c.uid_validity, uid, modseq: c.highest_modseq }
    return {
      value,
      changes: [{ accountId: box.account_id, mailboxId: box.id, uid, kind: 'appended' }],
    }
  }

  updateFlags(input: FlagUpdateInput): Written<FlagUpdateResult> {
    const wanted = normaliseFlags(input.flags)
    const box = this.#box(input.mailboxId)
    const messages: FlagState[] = []
    const modified: number[] = []
    for (const uid of sortedUnique(input.uids)) {
      const row = this.#flagsOf.get(box.id, uid)
      if (!row) continue
      if (input.unchangedSince !== undefined && row.modseq > input.unchangedSince) {
        modified.push(uid)
        continue
      }
      const current = JSON.parse(row.flags) as string[]
      const next = applyFlags(current, input.mode, wanted)
      const changed = !sameFlags(current, next)
      messages.push({ uid, flags: changed ? next : current, modseq: row.modseq, changed })
    }
    const changedOnes = messages.filter((m) => m.changed)
    if (changedOnes.length === 0) return { value: { messages, modified }, changes: [] }
    const top = this.#bumpModseq.get(changedOnes.length, box.id)?.highest_modseq ?? 0
    const changes: MailboxChange[] = []
    changedOnes.forEach((m, i) => {
      m.modseq = top - changedOnes.length + 1 + i
      this.#setFlags.run(JSON.stringify(m.flags), m.modseq, box.id, m.uid)
      const { uid, modseq, flags } = m
      changes.push({
        accountId: box.account_id,
        mailboxId: box.id,
        uid,
        kind: 'flags',
        modseq,
        flags,
      })
    })
    return { value: { messages, modified }, changes }
  }

  /** COPY, or MOVE when `move`: the copies, then (MOVE) the expunge of the originals. */
  copy(input: CopyInput, move: boolean): Written<CopyResult> {
    const source = this.#box(input.mailboxId)
    const target = this.#box(input.targetMailboxId)
    if (source.account_id !== target.account_id) {
      throw new StoreError('mailbox-not-found', 'the target mailbox belongs to another account')
    }
    const rows: { uid: number; blobId: number; size: number }[] = []
    for (const uid of sortedUnique(input.uids)) {
      const r = this.#source.get(source.id, uid)
      if (r) rows.push({ uid, blobId: r.blob_id, size: r.size })
    }
    const bytes = rows.reduce((s, r) => s + r.size, 0)
    if (!move) this.#checkQuota(source.account_id, bytes)
    if (rows.length === 0) {
      return { value: { uidValidity: target.uid_validity, mapping: [] }, changes: [] }
    }
    const c = this.#claimOrThrow(target, rows.length, bytes)
    const firstUid = c.uid_next - rows.length
    const firstModseq = c.highest_modseq - rows.length + 1
    const accountId = target.account_id
    const mapping: [number, number][] = []
    const changes: MailboxChange[] = []
    rows.forEach((r, i) => {
      const uid = firstUid + i
      this.#copyRow.run(target.id, uid, firstModseq + i, source.id, r.uid)
      this.#shareBlob.run(r.blobId)
      mapping.push([r.uid, uid])
      changes.push({ accountId, mailboxId: target.id, uid, kind: 'appended' })
    })
    if (move) {
      const { removed } = this.#expungeNow(
        source.id,
        rows.map((r) => r.uid),
      )
      for (const uid of removed)
        changes.push({ accountId, mailboxId: source.id, uid, kind: 'expunged' })
    }
    return { value: { uidValidity: c.uid_validity, mapping }, changes }
  }

  expungeDeleted(mailboxId: number, uids: readonly number[] | undefined): Written<number[]> {
    const box = this.#box(mailboxId)
    const only = uids === undefined ? undefined : new Set(uids)
    const doomed = this.#deleted
      .all(box.id)
      .map((r) => r.uid)
      .filter((uid) => only === undefined || only.has(uid))
    const { removed } = this.#expungeNow(box.id, doomed)
    const accountId = box.account_id
    const changes: MailboxChange[] = removed.map((uid) => ({
      accountId,
      mailboxId,
      uid,
      kind: 'expunged',
    }))
    return { value: removed, changes }
  }

  #box(id: number): BoxRow {
    const box = this.#boxById.get(id)
    if (!box) throw new StoreError('mailbox-not-found', `mailbox ${id} does not exist`)
    return box
  }

  #claimOrThrow(box: BoxRow, n: number, bytes: number): Claimed {
    const c = this.#claim.get(n, n, n, bytes, box.id, box.account_id)
    if (!c) throw new StoreError('mailbox-not-found', `mailbox ${box.id} does not exist`)
    return c
  }

  /** RFC 9208 5: refuses a write that would take the account over its storage quota. */
  #checkQuota(accountId: number, adding: number): void {
    const q = this.#quota.get(accountId)
    if (!q) throw new StoreError('account-not-found', `account ${accountId} does not exist`)
    if (q.limit_bytes !== null && q.used + adding > q.limit_bytes) {
      throw new StoreError('over-quota', `the account's quota of ${q.limit_bytes} bytes is full`)
    }
  }
}

function sortedUnique(uids: readonly number[]): number[] {
  return [...new Set(uids)].sort((a, b) => a - b)
}
