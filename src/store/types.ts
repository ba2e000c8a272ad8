// The store's public contract: repositories that callers use, whatever the engine.
// SQLite (store/dialects/sqlite) implements it today; a PostgreSQL engine implements the
// same interfaces later, so every method is async even where SQLite answers at once.

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

export interface MessageRepo {
  list(mailboxId: number): Promise<MessageRow[]>
  body(blobId: number): Promise<Buffer | undefined>
  /** Messages committed to mailboxes in total (for metrics and benchmarks). */
  countAll(): Promise<number>
  /** The envelope (MAIL FROM, RCPT TO, RFC 3461 DSN parameters) of a message row. */
  envelope(messageId: number): Promise<MessageEnvelope | undefined>
}

export interface QueuedRecipient {
  id: number
  queueId: number
  address: string
  state: 'scheduled' | 'delivered' | 'temp-failed' | 'perm-failed'
}

export interface QueueRepo {
  listRecipients(): Promise<QueuedRecipient[]>
}

/** Called after each group commit with the mailboxes that changed (the change feed). */
export type ChangeListener = (
  changes: { accountId: number; mailboxId: number; uid: number }[],
) => void

export interface Store {
  readonly domains: DomainRepo
  readonly accounts: AccountRepo
  readonly aliases: AliasRepo
  readonly mailboxes: MailboxRepo
  readonly messages: MessageRepo
  readonly queue: QueueRepo
  /**
   * Stores the message once and links it into every local mailbox, and queues remote
   * recipients, in one transaction. Resolves only after the commit is on disk (fsync);
   * concurrent calls share one commit (group commit).
   */
  accept(input: AcceptInput): Promise<AcceptResult>
  onChange(listener: ChangeListener): () => void
  close(): Promise<void>
}
