// The write behind store.accept on SQLite, for one request inside a group-commit batch:
// stores the body once, links it into each local mailbox (UID = UIDNEXT, next MODSEQ,
// counters updated in the same statement) and queues the remote recipients, one row each.

import { createHash } from 'node:crypto'
import type { Database, Statement } from 'better-sqlite3'
import type {
  AcceptInput,
  AcceptResult,
  DsnRecipient,
  LocalDelivery,
  MailboxChange,
} from '../../types.ts'
import { StoreError } from '../../store-error.ts'
import { canonicalMailboxName } from './mailbox-name.ts'
import { scanHeaders } from '../../../mail/header-scan.ts'

type BlobParams = [number, string, Buffer, number, number, string, string | null, string | null]
type MessageParams = [
  number,
  number,
  number,
  number,
  number,
  number,
  string,
  string | null,
  string | null,
]

export interface AcceptOutcome {
  result: AcceptResult
  changes: MailboxChange[]
}

type QueueParams = [
  number,
  string,
  string | null,
  string | null,
  number,
  number | null,
  string | null,
  number,
]

const NON_ASCII = /[^\p{ASCII}]/u

function notifyJson(dsn: DsnRecipient | undefined): string | null {
  return dsn?.notify ? JSON.stringify(dsn.notify) : null
}

export class AcceptWriter {
  readonly #clock: () => number
  readonly #insertBlob: Statement<BlobParams, { id: number }>
  readonly #accountExists: Statement<[number], { id: number }>
  readonly #claimUid: Statement<
    [number, number, string],
    { id: number; uid: number; modseq: number }
  >
  readonly #insertMessage: Statement<MessageParams>
  readonly #insertQueue: Statement<QueueParams, { id: number }>
  readonly #insertRecipient: Statement<
    [number, string, string, string | null, string | null, number, number],
    { id: number }
  >
  readonly #insertQueued: Statement<[number, number, number]>

  constructor(db: Database, clock: () => number) {
    this.#clock = clock
    this.#insertBlob = db.prepare(
      `INSERT INTO message_blobs
         (size, sha256, data, refcount, received_at, mail_from, dsn_ret, dsn_envid)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    this.#accountExists = db.prepare('SELECT id FROM accounts WHERE id = ?')
    // One statement claims the UID and the MODSEQ and updates the counters.
    this.#claimUid = db.prepare(
      `UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1,
         message_count = message_count + 1, total_bytes = total_bytes + ?
       WHERE account_id = ? AND name = ?
       RETURNING id, uid_next - 1 AS uid, highest_modseq AS modseq`,
    )
    this.#insertMessage = db.prepare(
      `INSERT INTO messages (mailbox_id, uid, modseq, blob_id, flags, internal_date, size,
         rcpt_to, dsn_notify, dsn_orcpt)
       VALUES (?, ?, ?, ?, '[]', ?, ?, ?, ?, ?)`,
    )
    this.#insertQueue = db.prepare(
      `INSERT INTO queue_messages (blob_id, mail_from, envid, ret, created_at,
         submitter_account_id, message_id, smtputf8)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    this.#insertRecipient = db.prepare(
      `INSERT INTO queue_recipients (queue_id, address, domain, state, notify, orcpt, attempts,
         next_attempt_at, updated_at)
       VALUES (?, ?, ?, 'scheduled', ?, ?, 0, ?, ?) RETURNING id`,
    )
    this.#insertQueued = db.prepare(
      `INSERT INTO queue_history (queue_id, recipient_id, at, kind) VALUES (?, ?, ?, 'queued')`,
    )
  }

  /** Runs inside the caller's transaction; throws StoreError for a bad request. */
  write(input: AcceptInput): AcceptOutcome {
    const refcount = input.local.length + (input.remote.length > 0 ? 1 : 0)
    if (refcount === 0) throw new StoreError('invalid-input', 'accept needs a recipient')
    const size = input.raw.length
    const blob = this.#insertBlob.get(
      size,
      createHash('sha256').update(input.raw).digest('hex'),
      input.raw,
      refcount,
      input.receivedAt,
      input.mailFrom,
      input.dsn?.ret ?? null,
      input.dsn?.envid ?? null,
    )
    if (!blob) throw new Error('blob insert returned no row')
    const result: AcceptResult = { blobId: blob.id, delivered: [], queuedId: null }
    for (const d of input.local) {
      const mailboxId = this.#deliver(d, { blobId: blob.id, size, input })
      result.delivered.push(mailboxId)
    }
    if (input.remote.length > 0) result.queuedId = this.#enqueue(input, blob.id)
    return { result, changes: result.delivered.map((d) => ({ ...d, kind: 'appended' })) }
  }

  #deliver(
    d: LocalDelivery,
    ctx: { blobId: number; size: number; input: AcceptInput },
  ): { accountId: number; mailboxId: number; uid: number } {
    const name = canonicalMailboxName(d.mailbox ?? 'INBOX')
    const claimed = this.#claimUid.get(ctx.size, d.accountId, name)
    if (!claimed) {
      if (!this.#accountExists.get(d.accountId)) {
        throw new StoreError('account-not-found', `account ${d.accountId} does not exist`)
      }
      throw new StoreError('mailbox-not-found', `mailbox ${name} does not exist`)
    }
    this.#insertMessage.run(
      claimed.id,
      claimed.uid,
      claimed.modseq,
      ctx.blobId,
      ctx.input.receivedAt,
      ctx.size,
      d.rcptTo,
      notifyJson(d.dsn),
      d.dsn?.orcpt ?? null,
    )
    return { accountId: d.accountId, mailboxId: claimed.id, uid: claimed.uid }
  }

  #enqueue(input: AcceptInput, blobId: number): number {
    const now = this.#clock()
    const mailFrom = input.remoteMailFrom ?? input.mailFrom
    const addresses = input.remote.map((r) => r.address.trim())
    // RFC 6531 3.4: non-ASCII envelope addresses need SMTPUTF8 from the next hop too.
    const smtputf8 =
      input.smtputf8 === true || [mailFrom, ...addresses].some((a) => NON_ASCII.test(a)) ? 1 : 0
    const queued = this.#insertQueue.get(
      blobId,
      mailFrom,
      input.dsn?.envid ?? null,
      input.dsn?.ret ?? null,
      now,
      input.submitter?.accountId ?? null,
      scanHeaders(input.raw).messageId ?? null,
      smtputf8,
    )
    if (!queued) throw new Error('queue insert returned no row')
    input.remote.forEach((r, i) => {
      // Kept as given: a remote server may treat local parts case-sensitively.
      const address = addresses[i] ?? r.address
      const row = this.#insertRecipient.get(
        queued.id,
        address,
        address.slice(address.lastIndexOf('@') + 1).toLowerCase(),
        notifyJson(r.dsn),
        r.dsn?.orcpt ?? null,
        now,
        now,
      )
      if (row) this.#insertQueued.run(queued.id, row.id, now)
    })
    return queued.id
  }
}
