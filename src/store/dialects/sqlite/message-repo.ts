// Messages on SQLite: the rows of a mailbox in UID order, message bodies by blob id, the
// envelope kept with each copy, and the total count for metrics.

import type { Database, Statement } from 'better-sqlite3'
import type {
  DsnEnvelope,
  DsnRecipient,
  MessageEnvelope,
  MessageRepo,
  MessageRow,
} from '../../types.ts'
import { asAsync } from './as-async.ts'

interface Row {
  id: number
  mailbox_id: number
  uid: number
  modseq: number
  blob_id: number
  flags: string
  internal_date: number
  size: number
}

interface EnvelopeRow {
  mail_from: string | null
  dsn_ret: string | null
  dsn_envid: string | null
  rcpt_to: string | null
  dsn_notify: string | null
  dsn_orcpt: string | null
}

function toMessage(r: Row): MessageRow {
  return {
    id: r.id,
    mailboxId: r.mailbox_id,
    uid: r.uid,
    modseq: r.modseq,
    blobId: r.blob_id,
    flags: JSON.parse(r.flags) as string[],
    internalDate: r.internal_date,
    size: r.size,
  }
}

function toEnvelope(r: EnvelopeRow): MessageEnvelope {
  const dsn: DsnEnvelope = {}
  if (r.dsn_ret === 'FULL' || r.dsn_ret === 'HDRS') dsn.ret = r.dsn_ret
  if (r.dsn_envid !== null) dsn.envid = r.dsn_envid
  const rcptDsn: DsnRecipient = {}
  if (r.dsn_notify !== null)
    rcptDsn.notify = JSON.parse(r.dsn_notify) as NonNullable<DsnRecipient['notify']>
  if (r.dsn_orcpt !== null) rcptDsn.orcpt = r.dsn_orcpt
  return { mailFrom: r.mail_from, dsn, rcptTo: r.rcpt_to, rcptDsn }
}

export class SqliteMessageRepo implements MessageRepo {
  readonly #list: Statement<[number], Row>
  readonly #body: Statement<[number], { data: Buffer }>
  readonly #count: Statement<[], { n: number }>
  readonly #envelope: Statement<[number], EnvelopeRow>

  constructor(db: Database) {
    this.#list = db.prepare(
      `SELECT id, mailbox_id, uid, modseq, blob_id, flags, internal_date, size
       FROM messages WHERE mailbox_id = ? ORDER BY uid`,
    )
    this.#body = db.prepare('SELECT data FROM message_blobs WHERE id = ?')
    this.#count = db.prepare('SELECT count(*) AS n FROM messages')
    this.#envelope = db.prepare(
      `SELECT b.mail_from, b.dsn_ret, b.dsn_envid, m.rcpt_to, m.dsn_notify, m.dsn_orcpt
       FROM messages m JOIN message_blobs b ON b.id = m.blob_id WHERE m.id = ?`,
    )
  }

  list(mailboxId: number): Promise<MessageRow[]> {
    return asAsync(() => this.#list.all(mailboxId).map(toMessage))
  }

  body(blobId: number): Promise<Buffer | undefined> {
    return asAsync(() => this.#body.get(blobId)?.data)
  }

  countAll(): Promise<number> {
    return asAsync(() => this.#count.get()?.n ?? 0)
  }

  envelope(messageId: number): Promise<MessageEnvelope | undefined> {
    return asAsync(() => {
      const row = this.#envelope.get(messageId)
      return row ? toEnvelope(row) : undefined
    })
  }
}
