// The store's public contract: repositories that callers use, whatever the engine.
// SQLite (store/dialects/sqlite) implements it today; a PostgreSQL engine implements the
// same interfaces later, so every method is async even where SQLite answers at once.

import type { SpamExplanationRepo } from './types-spam.ts'
import type { SpamLearningRepo } from './types-spam-learning.ts'
import type { QueueRepo, SuppressionRepo } from './types-outbound.ts'
import type { EmailAuthRepo } from './types-email-auth.ts'
import type { ScramCredentialRepo } from './types-scram.ts'

export type SpecialUse = '\\Inbox' | '\\Sent' | '\\Drafts' | '\\Junk' | '\\Trash' | '\\Archive'

/** The mailboxes every new account gets (RFC 6154 special-use attributes). */
export const DEFAULT_MAILBOXES: readonly { name: string; specialUse: SpecialUse }[] = [
  { name: 'INBOX', specialUse: '\\Inbox' },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Archive', specialUse: '\\Archive' },
]

export interface Domain {
  id: number
  name: string
  createdAt: number
}

export interface Account {
  id: number
  /** Lower-cased local part @ lower-cased domain. */
  address: string
  domainId: number
  passwordHash: string
  quotaBytes: number | null
  createdAt: number
}

export interface Alias {
  id: number
  /** `local@domain`, or `@domain` for a catch-all. */
  address: string
  targets: string[]
  createdAt: number
}

export interface Mailbox {
  id: number
  accountId: number
  name: string
  specialUse: SpecialUse | null
  uidValidity: number
  uidNext: number
  highestModseq: number
  messageCount: number
  totalBytes: number
}

export interface MessageRow {
  id: number
  mailboxId: number
  uid: number
  modseq: number
  blobId: number
  flags: string[]
  internalDate: number
  size: number
}

/** DSN parameters of RFC 3461, kept with the message. */
export interface DsnEnvelope {
  ret?: 'FULL' | 'HDRS'
  envid?: string
}

export interface DsnRecipient {
  notify?: ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[]
  orcpt?: string
}

export interface LocalDelivery {
  accountId: number
  /** Mailbox name; INBOX when absent. */
  mailbox?: string
  /** The envelope recipient as the client gave it. */
  rcptTo: string
  dsn?: DsnRecipient
}

export interface RemoteRecipient {
  address: string
  dsn?: DsnRecipient
}

export interface AcceptInput {
  /** The complete message as stored (with Received header), CRLF line ends. */
  raw: Buffer
  /** Epoch ms. */
  receivedAt: number
  mailFrom: string
  dsn?: DsnEnvelope
  local: LocalDelivery[]
  /** Recipients outside Postern (alias targets), kept for the outbound queue. */
  remote: RemoteRecipient[]
  /** MAIL FROM of the queued copy when it differs from mailFrom (SRS, RFC 7208 appendix). */
  remoteMailFrom?: string
  /** The authenticated account that submitted the message (submission listeners). */
  submitter?: { accountId: number }
  /** The queued copy needs SMTPUTF8 even with ASCII addresses (an RFC 6533 DSN of such mail). */
  smtputf8?: boolean
}

export interface AcceptResult {
  blobId: number
  delivered: { accountId: number; mailboxId: number; uid: number }[]
  queuedId: number | null
}

export interface DomainRepo {
  add(name: string): Promise<Domain>
  list(): Promise<Domain[]>
  remove(name: string): Promise<boolean>
  get(name: string): Promise<Domain | undefined>
}

export interface AccountRepo {
  /** Creates the account and its default mailboxes in one transaction. */
  add(input: {
    address: string
    passwordHash: string
    quotaBytes?: number | null
  }): Promise<Account>
  list(): Promise<Account[]>
  remove(address: string): Promise<boolean>
  setPassword(address: string, passwordHash: string): Promise<boolean>
  /** Storage quota in bytes (RFC 9208 STORAGE), or null for none; false if no such account. */
  setQuota(address: string, quotaBytes: number | null): Promise<boolean>
  get(address: string): Promise<Account | undefined>
  getById(id: number): Promise<Account | undefined>
}

export interface AliasRepo {
  add(address: string, targets: string[]): Promise<Alias>
  list(): Promise<Alias[]>
  remove(address: string): Promise<boolean>
  get(address: string): Promise<Alias | undefined>
}

export interface MailboxRepo {
  list(accountId: number): Promise<Mailbox[]>
  get(accountId: number, name: string): Promise<Mailbox | undefined>
  /**
   * Creates a mailbox (hierarchy delimiter "/", a trailing "/" is ignored) and any missing
   * superior names (RFC 9051 6.3.4), with a new UIDVALIDITY greater than any the account
   * had. Errors: 'mailbox-exists', 'invalid-input' (bad name or special-use).
   */
  create(input: {
    accountId: number
    name: string
    specialUse?: SpecialUse | null
  }): Promise<Mailbox>
  /**
   * Deletes a mailbox and its messages (RFC 9051 6.3.5). Refuses INBOX ('mailbox-forbidden')
   * and a mailbox with inferior names ('mailbox-has-children': HASCHILDREN); this store has
   * no \Noselect mailboxes. Subscriptions are kept. Error: 'mailbox-not-found'.
   */
  delete(accountId: number, name: string): Promise<void>
  /**
   * Renames a mailbox and its inferiors, keeping their ids, UIDs and UIDVALIDITY, and moving
   * their subscriptions; creates missing superiors of the new name (RFC 9051 6.3.6).
   * Renaming INBOX creates the new mailbox, moves every INBOX message into it (new UIDs,
   * flags and dates kept) and leaves INBOX empty; INBOX's inferiors stay. Errors:
   * 'mailbox-not-found', 'mailbox-exists', 'mailbox-forbidden' (to INBOX, into itself).
   */
  rename(accountId: number, from: string, to: string): Promise<Mailbox>
  /** RFC 9051 6.3.7: names need not exist; subscribing twice is not an error. */
  subscribe(accountId: number, name: string): Promise<void>
  unsubscribe(accountId: number, name: string): Promise<void>
  /** Subscribed names, sorted. */
  subscriptions(accountId: number): Promise<string[]>
  /** One mailbox with its STATUS counters; undefined when it does not exist. */
  status(accountId: number, name: string): Promise<MailboxStatus | undefined>
  /** Every mailbox of the account with its STATUS counters (LIST-STATUS), by name. */
  listStatus(accountId: number): Promise<MailboxStatus[]>
  /** RFC 9208 STORAGE and MESSAGE usage of the account, and its limit. */
  quota(accountId: number): Promise<QuotaUsage>
}

/** A mailbox with what STATUS reports beyond the stored counters. */
export interface MailboxStatus extends Mailbox {
  unseenCount: number
  deletedCount: number
}

export interface QuotaUsage {
  /** Bytes of every message in every mailbox of the account. */
  usedBytes: number
  messageCount: number
  /** accounts.quota_bytes; null means unlimited. */
  limitBytes: number | null
}

export type FlagUpdateMode = 'add' | 'remove' | 'replace'

export interface FlagUpdateInput {
  mailboxId: number
  uids: readonly number[]
  mode: FlagUpdateMode
  /** System flags (\Seen \Answered \Flagged \Deleted \Draft, any case) and keywords. */
  flags: readonly string[]
  /** RFC 7162 3.1.3 UNCHANGEDSINCE: messages with a greater MODSEQ are left alone. */
  unchangedSince?: number
}

export interface FlagState {
  uid: number
  flags: string[]
  modseq: number
  /** True when this call changed the message (and gave it a new MODSEQ). */
  changed: boolean
}

export interface FlagUpdateResult {
  /** Every existing message of the set that passed the condition, in UID order. */
  messages: FlagState[]
  /** UIDs that failed UNCHANGEDSINCE ([MODIFIED] of RFC 7162 3.1.3). */
  modified: number[]
}

export interface AppendInput {
  accountId: number
  /** Mailbox name; 'mailbox-not-found' when missing (IMAP: [TRYCREATE]). */
  mailbox: string
  raw: Buffer
  flags?: readonly string[]
  /** Epoch ms; now when absent. */
  internalDate?: number
}

export interface AppendResult {
  mailboxId: number
  uidValidity: number
  uid: number
  modseq: number
}

export interface CopyInput {
  /** The source mailbox. */
  mailboxId: number
  uids: readonly number[]
  /** The target mailbox; it must belong to the same account. */
  targetMailboxId: number
}

export interface CopyResult {
  /** UIDVALIDITY of the target (COPYUID, RFC 4315 3). */
  uidValidity: number
  /** [source UID, target UID] pairs in source UID order; UIDs already gone are skipped. */
  mapping: [number, number][]
}

export interface ChangesSince {
  /** Messages whose MODSEQ is greater (flag changes and new messages), by UID. */
  changed: MessageRow[]
  /** UIDs expunged with a greater MODSEQ (QRESYNC VANISHED, RFC 7162 3.2.10), sorted. */
  vanished: number[]
}

/**
 * SEARCH TEXT / BODY / HEADER (and FROM, TO, CC, BCC, SUBJECT as headers) through the
 * full-text index. Every criterion must hold. Matching is by substring as RFC 9051 6.4.4
 * asks ("livery" and "ERY AT" find "delivery at noon"), case- and diacritic-insensitive, on
 * the decoded text (encoded words, transfer encodings and charsets undone, HTML tags dropped);
 * spaces and punctuation count. TEXT is the header lines and the body, BODY the body only, a
 * header criterion the value of that field (which must be present; the empty string matches
 * any value). The empty string is in every message. Strings of 3+ characters are answered by
 * the index; 1-2 character strings and other header names also scan candidates' text.
 */
export interface TextQuery {
  text?: string | readonly string[]
  body?: string | readonly string[]
  header?: readonly (readonly [name: string, value: string])[]
}

/** What the IMAP server needs from the messages of a mailbox beyond delivery and POP3. */
export interface MailboxMessageRepo {
  /**
   * Stores a message in a mailbox (IMAP APPEND), durably before it resolves; flags kept,
   * one new MODSEQ. Errors: 'mailbox-not-found', 'over-quota', 'invalid-input' (flags).
   */
  append(input: AppendInput): Promise<AppendResult>
  /** Adds, removes or replaces flags; each changed message gets its own new MODSEQ. */
  updateFlags(input: FlagUpdateInput): Promise<FlagUpdateResult>
  /** Copies messages (bodies shared, flags and dates kept). Error: 'over-quota'. */
  copy(input: CopyInput): Promise<CopyResult>
  /** RFC 6851 MOVE: copy and expunge from the source in one transaction. */
  move(input: CopyInput): Promise<CopyResult>
  /**
   * Expunges the \Deleted messages of a mailbox, only those in `uids` when given
   * (UID EXPUNGE), recording them for VANISHED. Resolves with the UIDs removed, sorted.
   */
  expungeDeleted(mailboxId: number, uids?: readonly number[]): Promise<number[]>
  /** Messages with from <= UID <= to (to defaults to the last), by UID. */
  listRange(mailboxId: number, range: { from: number; to?: number }): Promise<MessageRow[]>
  /** Every UID of the mailbox in order (the sequence-number map of SELECT). */
  uids(mailboxId: number): Promise<number[]>
  /** CONDSTORE CHANGEDSINCE and QRESYNC: what changed after `modseq`. */
  changesSince(mailboxId: number, modseq: number): Promise<ChangesSince>
  /** UIDs of the mailbox's messages matching the query, sorted, from the FTS5 index. */
  searchText(mailboxId: number, query: TextQuery): Promise<number[]>
}

/** The SMTP envelope kept with one mailbox copy of a message. */
export interface MessageEnvelope {
  /** MAIL FROM ('' for the null sender); null when the message did not come over SMTP. */
  mailFrom: string | null
  dsn: DsnEnvelope
  /** The RCPT TO this copy was delivered for. */
  rcptTo: string | null
  rcptDsn: DsnRecipient
}

export interface MessageRepo extends MailboxMessageRepo {
  list(mailboxId: number): Promise<MessageRow[]>
  body(blobId: number): Promise<Buffer | undefined>
  /**
   * Up to `length` bytes of a message body from `offset`, for streaming a large body in
   * pieces. The message is named by mailbox and UID (never reused, unlike row and blob ids),
   * so a piece is never another message's bytes; undefined once the message is gone.
   */
  readBody(input: {
    mailboxId: number
    uid: number
    offset: number
    length: number
  }): Promise<Buffer | undefined>
  /**
   * Removes messages (by UID) from a mailbox in one transaction, on disk before it resolves:
   * updates the mailbox counters, raises HIGHESTMODSEQ once, frees bodies nothing else
   * references and tells the onChange listeners. UIDs already gone are skipped. Resolves
   * with the UIDs removed.
   */
  expunge(mailboxId: number, uids: readonly number[]): Promise<number[]>
  /** Messages committed to mailboxes in total (for metrics and benchmarks). */
  countAll(): Promise<number>
  /** The envelope (MAIL FROM, RCPT TO, RFC 3461 DSN parameters) of a message row. */
  envelope(messageId: number): Promise<MessageEnvelope | undefined>
}

// The outbound queue and the suppression list: src/store/types-outbound.ts.
export type { QueuedRecipient, QueueRepo, SuppressionRepo } from './types-outbound.ts'

/**
 * One change of a mailbox, told after its commit: a message arrived ('appended', also by
 * accept, copy and move), left ('expunged'), or had its flags changed ('flags'); or the
 * mailbox itself was created, deleted or renamed (uid is 0 for those).
 */
export type MailboxChange =
  | (ChangeBase & { kind: 'appended' | 'expunged' })
  | (ChangeBase & { kind: 'flags'; modseq: number; flags: string[] })
  | (ChangeBase & { kind: 'mailbox-created' | 'mailbox-deleted'; name: string })
  | (ChangeBase & { kind: 'mailbox-renamed'; name: string; oldName: string })

export type MailboxChangeKind = MailboxChange['kind']

interface ChangeBase {
  accountId: number
  mailboxId: number
  uid: number
}

/** Called after each commit with the mailboxes that changed (the change feed). */
export type ChangeListener = (changes: MailboxChange[]) => void

export interface Store {
  readonly domains: DomainRepo
  readonly accounts: AccountRepo
  readonly aliases: AliasRepo
  readonly mailboxes: MailboxRepo
  readonly messages: MessageRepo
  readonly queue: QueueRepo
  readonly suppressions: SuppressionRepo
  /** Spam verdict explanations (src/store/types-spam.ts). */
  readonly spamExplanations: SpamExplanationRepo
  /** SCRAM-SHA-256 secrets for SMTP AUTH (src/store/types-scram.ts). */
  readonly scram: ScramCredentialRepo
  /** What the spam filter learns: Bayes, reputation, greylist, sender score. */
  readonly spamLearning: SpamLearningRepo
  /** DMARC evaluations and aggregate reports (src/store/types-email-auth.ts). */
  readonly emailAuth: EmailAuthRepo
  /**
   * Stores the message once and links it into every local mailbox, and queues remote
   * recipients, in one transaction. Resolves only after the commit is on disk (fsync);
   * concurrent calls share one commit (group commit).
   */
  accept(input: AcceptInput): Promise<AcceptResult>
  onChange(listener: ChangeListener): () => void
  close(): Promise<void>
}
