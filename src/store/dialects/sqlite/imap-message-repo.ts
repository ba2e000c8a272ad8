// Messages on SQLite with what the IMAP server needs: the POP3/delivery repository of
// message-repo.ts plus APPEND, STORE, COPY, MOVE, EXPUNGE of \Deleted messages (writes through
// the group committer, see message-writer.ts), reads by UID range and by MODSEQ for
// CONDSTORE/QRESYNC, and full-text search (search-index.ts).

import type { Database, Statement } from 'better-sqlite3'
import type {
  AppendInput,
  AppendResult,
  ChangesSince,
  CopyInput,
  CopyResult,
  FlagUpdateInput,
  FlagUpdateResult,
  MessageRepo,
  MessageRow,
  TextQuery,
} from '../../types.ts'
import { asAsync } from './as-async.ts'
import { MessageWriter } from './message-writer.ts'
import {
  SqliteMessageRepo,
  toMessage,
  type Row,
  type SqliteMessageRepoOptions,
} from './message-repo.ts'
import type { SearchIndex } from './search-index.ts'
import type { SubmitWrite } from './store-write.ts'

const ROW = 'id, mailbox_id, uid, modseq, blob_id, flags, internal_date, size'

/** Bodies indexed per write when a search catches up with message_text_pending. */
const PENDING_BATCH = 200
/**
 * Bodies indexed per write by the background indexer. Each write runs synchronously inside a
 * group commit: 200 bodies held the event loop (and the accepts sharing that commit) for
 * 30-50 ms under inbound load; 32 keep it to a few ms and cost no more CPU per body.
 */
export const BACKGROUND_BATCH = 32

export interface ImapMessageRepoOptions extends SqliteMessageRepoOptions {
  clock: () => number
  submit: SubmitWrite
  index: SearchIndex
}

export class SqliteImapMessageRepo extends SqliteMessageRepo implements MessageRepo {
  readonly #submit: SubmitWrite
  readonly #index: SearchIndex
  /** The synchronous writes, for other writers inside a batch (RENAME of INBOX). */
  readonly writer: MessageWriter
  readonly #range: Statement<[number, number, number], Row>
  readonly #uids: Statement<[number], { uid: number }>
  readonly #changed: Statement<[number, number], Row>
  readonly #vanished: Statement<[number, number], { uid: number }>

  constructor(db: Database, opts: ImapMessageRepoOptions) {
    super(db, opts)
    this.#submit = opts.submit
    this.#index = opts.index
    this.writer = new MessageWriter(db, {
      clock: opts.clock,
      index: opts.index,
      expungeNow: (mailboxId, uids) => this.expungeNow(mailboxId, uids),
    })
    this.#range = db.prepare(
      `SELECT ${ROW} FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid`,
    )
    this.#uids = db.prepare('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid')
    this.#changed = db.prepare(
      `SELECT ${ROW} FROM messages WHERE mailbox_id = ? AND modseq > ? ORDER BY uid`,
    )
    this.#vanished = db.prepare(
      'SELECT uid FROM mailbox_vanished WHERE mailbox_id = ? AND modseq > ? ORDER BY uid',
    )
  }

  append(input: AppendInput): Promise<AppendResult> {
    return this.#submit(() => this.writer.append(input))
  }

  updateFlags(input: FlagUpdateInput): Promise<FlagUpdateResult> {
    return this.#submit(() => this.writer.updateFlags(input))
  }

  copy(input: CopyInput): Promise<CopyResult> {
    return this.#submit(() => this.writer.copy(input, false))
  }

  move(input: CopyInput): Promise<CopyResult> {
    return this.#submit(() => this.writer.copy(input, true))
  }

  expungeDeleted(mailboxId: number, uids?: readonly number[]): Promise<number[]> {
    return this.#submit(() => this.writer.expungeDeleted(mailboxId, uids))
  }

  listRange(mailboxId: number, range: { from: number; to?: number }): Promise<MessageRow[]> {
    const to = range.to ?? Number.MAX_SAFE_INTEGER
    return asAsync(() => this.#range.all(mailboxId, range.from, to).map(toMessage))
  }

  uids(mailboxId: number): Promise<number[]> {
    return asAsync(() => this.#uids.all(mailboxId).map((r) => r.uid))
  }

  changesSince(mailboxId: number, modseq: number): Promise<ChangesSince> {
    return asAsync(() => ({
      changed: this.#changed.all(mailboxId, modseq).map(toMessage),
      vanished: this.#vanished.all(mailboxId, modseq).map((r) => r.uid),
    }))
  }

  async searchText(mailboxId: number, query: TextQuery): Promise<number[]> {
    await this.catchUpIndex()
    return await this.#index.search(mailboxId, query)
  }

  /** Indexes every body still listed in message_text_pending, `batch` per commit. */
  async catchUpIndex(batch = PENDING_BATCH): Promise<void> {
    while (this.#index.hasPending()) {
      await this.#submit(() => ({ value: this.#index.indexPending(batch), changes: [] }))
    }
  }
}
