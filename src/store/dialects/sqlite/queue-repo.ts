// The outbound queue on SQLite: one row per recipient linked to a shared queue message, and a
// history row for every step. Reads run at once; every write goes through the group committer
// (durable before its promise resolves), so "attempt started" is on disk before the dial.

import type { Database, Statement } from 'better-sqlite3'
import type {
  BounceMatchQuery,
  DsnNotify,
  DueGroup,
  DueQuery,
  DueRecipient,
  HistoryInput,
  QueueDetail,
  QueuedMessage,
  QueuedRecipient,
  QueueHistoryEntry,
  QueueListEntry,
  QueueRepo,
  RecipientState,
  RecipientUpdate,
} from '../../types-outbound.ts'
import { RECIPIENT_STATES } from '../../types-outbound.ts'
import { asAsync } from './as-async.ts'
import type { SubmitWrite } from './store-write.ts'

interface MessageRow {
  id: number
  blob_id: number
  mail_from: string
  envid: string | null
  ret: string | null
  created_at: number
  submitter_account_id: number | null
  message_id: string | null
  smtputf8: number
}

interface RecipientRow {
  id: number
  queue_id: number
  address: string
  domain: string
  state: RecipientState
  attempts: number
  next_attempt_at: number
  notify: string | null
  orcpt: string | null
  delay_notified: number
  last_reply: string | null
  remote_host: string | null
}

interface ListRow {
  id: number
  queue_id: number
  mail_from: string
  address: string
  state: RecipientState
  attempts: number
  next_attempt_at: number
  last_reply: string | null
  created_at: number
}

interface HistoryRow {
  at: number
  kind: QueueHistoryEntry['kind']
  recipient_id: number | null
  address: string | null
  detail: string | null
  remote_host: string | null
}

const WAITING = `state IN ('scheduled', 'deferred')`
const MESSAGE_COLUMNS = `id, blob_id, mail_from, envid, ret, created_at, submitter_account_id,
  message_id, smtputf8`
const RECIPIENT_COLUMNS = `r.id, r.queue_id, r.address, r.domain, r.state, r.attempts,
  r.next_attempt_at, r.notify, r.orcpt, r.delay_notified, r.last_reply, r.remote_host`

function toMessage(r: MessageRow): QueuedMessage {
  const m: QueuedMessage = {
    id: r.id,
    blobId: r.blob_id,
    mailFrom: r.mail_from,
    createdAt: r.created_at,
    smtputf8: r.smtputf8 === 1,
  }
  if (r.envid !== null) m.envid = r.envid
  if (r.ret === 'FULL' || r.ret === 'HDRS') m.ret = r.ret
  if (r.submitter_account_id !== null) m.submitterAccountId = r.submitter_account_id
  if (r.message_id !== null) m.messageId = r.message_id
  return m
}

function toDue(r: RecipientRow): DueRecipient {
  const d: DueRecipient = {
    id: r.id,
    queueId: r.queue_id,
    address: r.address,
    domain: r.domain,
    state: r.state === 'deferred' ? 'deferred' : 'scheduled',
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    delayNotified: r.delay_notified === 1,
  }
  if (r.notify !== null) d.notify = JSON.parse(r.notify) as DsnNotify[]
  if (r.orcpt !== null) d.orcpt = r.orcpt
  if (r.last_reply !== null) d.lastReply = r.last_reply
  if (r.remote_host !== null) d.remoteHost = r.remote_host
  return d
}

function toListEntry(r: ListRow): QueueListEntry {
  const e: QueueListEntry = {
    recipientId: r.id,
    queueId: r.queue_id,
    mailFrom: r.mail_from,
    address: r.address,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
  }
  if (r.last_reply !== null) e.lastReply = r.last_reply
  return e
}

function toHistory(r: HistoryRow): QueueHistoryEntry {
  const h: QueueHistoryEntry = { at: r.at, kind: r.kind }
  if (r.recipient_id !== null) h.recipientId = r.recipient_id
  if (r.address !== null) h.address = r.address
  if (r.detail !== null) h.detail = r.detail
  if (r.remote_host !== null) h.remoteHost = r.remote_host
  return h
}

type HistoryParams = [number, number | null, number, string, string | null, string | null]
type UpdateParams = [string, number, string | null, string | null, number, number, number]

export class SqliteQueueRepo implements QueueRepo {
  readonly #submit: SubmitWrite
  readonly #listRecipients: Statement<[], QueuedRecipient & { queue_id: number }>
  readonly #message: Statement<[number], MessageRow>
  readonly #body: Statement<[number], { data: Buffer }>
  readonly #nextDue: Statement<[string, string], { at: number | null }>
  readonly #history: Statement<HistoryParams>
  readonly #startAttempt: Statement<[number, number, number, number]>
  readonly #update: Statement<UpdateParams>
  readonly #interrupted: Statement<[], { id: number; queue_id: number; started: number }>
  readonly #recover: Statement<[number, number, number]>
  readonly #retry: Statement<[number, number, number], { id: number }>
  readonly #remove: Statement<[number]>
  readonly #counts: Statement<[], { state: RecipientState; n: number }>
  readonly #showRecipients: Statement<[number], ListRow>
  readonly #showHistory: Statement<[number], HistoryRow>
  readonly #size: Statement<[number], { size: number }>
  readonly #purge: Statement<[number]>
  readonly #due: Statement<[number, string, string, string, number], RecipientRow>
  readonly #list: Statement<[string, number], ListRow>
  readonly #matchBounce: Statement<
    [{ messageId: string | null; envid: string | null; recipient: string; since: number }],
    { queue_id: number; id: number; state: RecipientState }
  >

  constructor(db: Database, opts: { submit: SubmitWrite }) {
    this.#submit = opts.submit
    this.#listRecipients = db.prepare(
      'SELECT id, queue_id, address, state FROM queue_recipients ORDER BY id',
    )
    this.#message = db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM queue_messages WHERE id = ?`)
    this.#body = db.prepare(
      `SELECT b.data FROM queue_messages q JOIN message_blobs b ON b.id = q.blob_id
       WHERE q.id = ?`,
    )
    this.#size = db.prepare(
      `SELECT b.size FROM queue_messages q JOIN message_blobs b ON b.id = q.blob_id
       WHERE q.id = ?`,
    )
    this.#nextDue = db.prepare(
      `SELECT min(r.next_attempt_at) AS at FROM queue_recipients r
       JOIN queue_messages q ON q.id = r.queue_id
       WHERE r.${WAITING} AND r.attempt_started_at IS NULL
         AND r.domain NOT IN (SELECT value FROM json_each(?))
         AND coalesce(q.submitter_account_id, -1) NOT IN (SELECT value FROM json_each(?))`,
    )
    this.#history = db.prepare(
      `INSERT INTO queue_history (queue_id, recipient_id, at, kind, detail, remote_host)
       VALUES (?, ?, ?, ?, ?, ?)`,
    )
    this.#startAttempt = db.prepare(
      `UPDATE queue_recipients SET attempts = attempts + 1, attempt_started_at = ?,
         last_attempt_at = ?, next_attempt_at = ? WHERE id = ? AND ${WAITING}`,
    )
    this.#update = db.prepare(
      `UPDATE queue_recipients SET state = ?, next_attempt_at = ?,
         last_reply = coalesce(?, last_reply), remote_host = coalesce(?, remote_host),
         delay_notified = max(delay_notified, ?), attempt_started_at = NULL, updated_at = ?
       WHERE id = ?`,
    )
    this.#interrupted = db.prepare(
      `SELECT id, queue_id, attempt_started_at AS started FROM queue_recipients
       WHERE attempt_started_at IS NOT NULL`,
    )
    this.#recover = db.prepare(
      `UPDATE queue_recipients SET attempt_started_at = NULL, next_attempt_at = ?,
         updated_at = ? WHERE id = ?`,
    )
    this.#retry = db.prepare(
      `UPDATE queue_recipients SET next_attempt_at = ?, updated_at = ?
       WHERE queue_id = ? AND ${WAITING} RETURNING id`,
    )
    this.#remove = db.prepare('DELETE FROM queue_messages WHERE id = ?')
    this.#counts = db.prepare('SELECT state, count(*) AS n FROM queue_recipients GROUP BY state')
    this.#showRecipients = db.prepare(
      `SELECT r.id, r.queue_id, q.mail_from, r.address, r.state, r.attempts,
         r.next_attempt_at, r.last_reply, q.created_at
       FROM queue_recipients r JOIN queue_messages q ON q.id = r.queue_id
       WHERE r.queue_id = ? ORDER BY r.id`,
    )
    this.#showHistory = db.prepare(
      `SELECT h.at, h.kind, h.recipient_id, r.address, h.detail, h.remote_host
       FROM queue_history h LEFT JOIN queue_recipients r ON r.id = h.recipient_id
       WHERE h.queue_id = ? ORDER BY h.id`,
    )
    this.#purge = db.prepare(
      `DELETE FROM queue_messages WHERE created_at < ? AND NOT EXISTS
         (SELECT 1 FROM queue_recipients r WHERE r.queue_id = queue_messages.id
          AND r.${WAITING})`,
    )
    this.#due = db.prepare(
      `SELECT ${RECIPIENT_COLUMNS} FROM queue_recipients r
       JOIN queue_messages q ON q.id = r.queue_id
       WHERE r.${WAITING} AND r.next_attempt_at <= ? AND r.attempt_started_at IS NULL
         AND r.domain NOT IN (SELECT value FROM json_each(?))
         AND coalesce(q.submitter_account_id, -1) NOT IN (SELECT value FROM json_each(?))
         AND r.id NOT IN (SELECT value FROM json_each(?))
       ORDER BY r.next_attempt_at, r.id LIMIT ?`,
    )
    this.#list = db.prepare(
      `SELECT r.id, r.queue_id, q.mail_from, r.address, r.state, r.attempts,
         r.next_attempt_at, r.last_reply, q.created_at
       FROM queue_recipients r JOIN queue_messages q ON q.id = r.queue_id
       WHERE r.state IN (SELECT value FROM json_each(?))
       ORDER BY r.queue_id, r.id LIMIT ?`,
    )
    // Matches by the original's Message-ID, else its ENVID, else the most recent message to
    // that recipient since the given time.
    this.#matchBounce = db.prepare(
      `SELECT r.queue_id, r.id, r.state FROM queue_recipients r
       JOIN queue_messages q ON q.id = r.queue_id
       WHERE lower(r.address) = @recipient AND (q.message_id = @messageId
         OR q.envid = @envid OR q.created_at >= @since)
       ORDER BY coalesce(q.message_id = @messageId, 0) DESC, coalesce(q.envid = @envid, 0) DESC,
         q.id DESC LIMIT 1`,
    )
  }

  listRecipients(): Promise<QueuedRecipient[]> {
    return asAsync(() =>
      this.#listRecipients
        .all()
        .map((r) => ({ id: r.id, queueId: r.queue_id, address: r.address, state: r.state })),
    )
  }

  due(query: DueQuery): Promise<DueGroup[]> {
    return asAsync(() => {
      const domains = JSON.stringify(query.excludeDomains ?? [])
      const accounts = JSON.stringify(query.excludeAccounts ?? [])
      const busy = JSON.stringify(query.excludeRecipients ?? [])
      const rows = this.#due.all(query.now, domains, accounts, busy, query.limit)
      const groups = new Map<string, DueGroup>()
      const messages = new Map<number, QueuedMessage>()
      for (const row of rows) {
        const key = `${row.queue_id} ${row.domain}`
        let group = groups.get(key)
        if (group === undefined) {
          let message = messages.get(row.queue_id)
          if (message === undefined) {
            const m = this.#message.get(row.queue_id)
            if (m === undefined) continue
            message = toMessage(m)
            messages.set(row.queue_id, message)
          }
          group = { message, domain: row.domain, recipients: [] }
          groups.set(key, group)
        }
        group.recipients.push(toDue(row))
      }
      return [...groups.values()]
    })
  }

  nextDueAt(
    query: Pick<DueQuery, 'excludeDomains' | 'excludeAccounts'> = {},
  ): Promise<number | undefined> {
    return asAsync(
      () =>
        this.#nextDue.get(
          JSON.stringify(query.excludeDomains ?? []),
          JSON.stringify(query.excludeAccounts ?? []),
        )?.at ?? undefined,
    )
  }

  message(queueId: number): Promise<QueuedMessage | undefined> {
    return asAsync(() => {
      const row = this.#message.get(queueId)
      return row === undefined ? undefined : toMessage(row)
    })
  }

  body(queueId: number): Promise<Buffer | undefined> {
    return asAsync(() => this.#body.get(queueId)?.data)
  }

  startAttempt(input: {
    queueId: number
    recipientIds: number[]
    now: number
    retryAt: number
    detail?: string
  }): Promise<void> {
    return this.#submit(() => {
      for (const id of input.recipientIds) {
        this.#startAttempt.run(input.now, input.now, input.retryAt, id)
        this.#addHistory(input.queueId, id, input.now, {
          kind: 'attempt',
          ...(input.detail === undefined ? {} : { detail: input.detail }),
        })
      }
      return { value: undefined, changes: [] }
    })
  }

  update(updates: RecipientUpdate[], now: number): Promise<void> {
    return this.#submit(() => {
      for (const u of updates) {
        this.#update.run(
          u.state,
          u.nextAttemptAt,
          u.lastReply ?? null,
          u.remoteHost ?? null,
          u.delayNotified === true ? 1 : 0,
          now,
          u.id,
        )
        for (const h of u.history) this.#addHistory(u.queueId, u.id, now, h)
      }
      return { value: undefined, changes: [] }
    })
  }

  #addHistory(queueId: number, recipientId: number | null, at: number, h: HistoryInput): void {
    this.#history.run(queueId, recipientId, at, h.kind, h.detail ?? null, h.remoteHost ?? null)
  }

  addHistory(
    entries: (HistoryInput & { queueId: number; recipientId?: number })[],
    now: number,
  ): Promise<void> {
    return this.#submit(() => {
      for (const e of entries) this.#addHistory(e.queueId, e.recipientId ?? null, now, e)
      return { value: undefined, changes: [] }
    })
  }

  recoverInterrupted(now: number): Promise<number> {
    return this.#submit(() => {
      const rows = this.#interrupted.all()
      for (const r of rows) {
        this.#recover.run(now, now, r.id)
        this.#addHistory(r.queue_id, r.id, now, {
          kind: 'abandoned',
          detail: `attempt started at ${new Date(r.started).toISOString()} did not finish`,
        })
      }
      return { value: rows.length, changes: [] }
    })
  }

  list(
    opts: { states?: readonly RecipientState[]; limit?: number } = {},
  ): Promise<QueueListEntry[]> {
    return asAsync(() =>
      this.#list
        .all(JSON.stringify(opts.states ?? RECIPIENT_STATES), opts.limit ?? -1)
        .map(toListEntry),
    )
  }

  show(queueId: number): Promise<QueueDetail | undefined> {
    return asAsync(() => {
      const m = this.#message.get(queueId)
      if (m === undefined) return undefined
      return {
        message: toMessage(m),
        size: this.#size.get(queueId)?.size ?? 0,
        recipients: this.#showRecipients.all(queueId).map(toListEntry),
        history: this.#showHistory.all(queueId).map(toHistory),
      }
    })
  }

  retry(queueId: number, now: number): Promise<number> {
    return this.#submit(() => {
      const ids = this.#retry.all(now, now, queueId)
      for (const r of ids) this.#addHistory(queueId, r.id, now, { kind: 'retry' })
      return { value: ids.length, changes: [] }
    })
  }

  remove(queueId: number): Promise<boolean> {
    return this.#submit(() => ({ value: this.#remove.run(queueId).changes > 0, changes: [] }))
  }

  counts(): Promise<Record<RecipientState, number>> {
    return asAsync(() => {
      const out: Record<RecipientState, number> = {
        scheduled: 0,
        deferred: 0,
        delivered: 0,
        bounced: 0,
        expired: 0,
        suppressed: 0,
      }
      for (const r of this.#counts.all()) out[r.state] = r.n
      return out
    })
  }

  matchBounce(
    query: BounceMatchQuery,
  ): Promise<{ queueId: number; recipientId: number; state: RecipientState } | undefined> {
    return asAsync(() => {
      const recipient = query.recipient.toLowerCase()
      const row = this.#matchBounce.get({
        messageId: query.messageId ?? null,
        envid: query.envid ?? null,
        recipient,
        since: query.since,
      })
      return row === undefined
        ? undefined
        : { queueId: row.queue_id, recipientId: row.id, state: row.state }
    })
  }

  purgeFinished(before: number): Promise<number> {
    return this.#submit(() => ({ value: this.#purge.run(before).changes, changes: [] }))
  }
}
