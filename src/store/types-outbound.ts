// The store's contract for the outbound queue (one row per recipient linked to a shared queue
// message, with the history of every step) and the suppression list. The scheduler in
// src/queue/ decides; these repositories only persist, each write durable (group commit) before
// its promise resolves.

export type DsnNotify = 'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY'

/**
 * A recipient's place in its lifecycle: waiting for its first attempt (scheduled) or a retry
 * (deferred), or done: delivered, bounced (permanent failure), expired (gave up after the
 * queue's maximum age) or suppressed (never tried: the address is on the suppression list).
 */
export const RECIPIENT_STATES = [
  'scheduled',
  'deferred',
  'delivered',
  'bounced',
  'expired',
  'suppressed',
] as const
export type RecipientState = (typeof RECIPIENT_STATES)[number]

export const FINAL_STATES: readonly RecipientState[] = [
  'delivered',
  'bounced',
  'expired',
  'suppressed',
]

export type HistoryKind =
  | 'queued'
  | 'attempt'
  | 'delivered'
  | 'deferred'
  | 'bounced'
  | 'expired'
  | 'delay-notified'
  | 'dsn-sent'
  | 'suppressed'
  | 'throttled'
  | 'abandoned'
  | 'retry'
  | 'bounce-received'

export interface QueuedRecipient {
  id: number
  queueId: number
  address: string
  state: RecipientState
}

/** A queued message's envelope, as the scheduler and the DSN writer need it. */
export interface QueuedMessage {
  id: number
  blobId: number
  /** '' for the null sender. */
  mailFrom: string
  envid?: string
  ret?: 'FULL' | 'HDRS'
  createdAt: number
  submitterAccountId?: number
  messageId?: string
  smtputf8: boolean
}

export interface DueRecipient {
  id: number
  queueId: number
  address: string
  domain: string
  state: 'scheduled' | 'deferred'
  attempts: number
  nextAttemptAt: number
  notify?: DsnNotify[]
  orcpt?: string
  delayNotified: boolean
  lastReply?: string
  remoteHost?: string
}

/** Due recipients of one message and one domain: one transport delivery. */
export interface DueGroup {
  message: QueuedMessage
  domain: string
  recipients: DueRecipient[]
}

export interface HistoryInput {
  kind: HistoryKind
  detail?: string
  remoteHost?: string
}

/** The outcome of an attempt (or a decision without one) for one recipient. */
export interface RecipientUpdate {
  id: number
  queueId: number
  state: RecipientState
  nextAttemptAt: number
  lastReply?: string
  remoteHost?: string
  delayNotified?: boolean
  history: HistoryInput[]
}

export interface QueueListEntry {
  recipientId: number
  queueId: number
  mailFrom: string
  address: string
  state: RecipientState
  attempts: number
  nextAttemptAt: number
  lastReply?: string
  createdAt: number
}

export interface QueueHistoryEntry {
  at: number
  kind: HistoryKind
  recipientId?: number
  address?: string
  detail?: string
  remoteHost?: string
}

export interface QueueDetail {
  message: QueuedMessage
  size: number
  recipients: QueueListEntry[]
  history: QueueHistoryEntry[]
}

export interface DueQuery {
  now: number
  /** Most recipient rows to return. */
  limit: number
  /** Domains not to return (throttled, backed off, at their concurrency limit). */
  excludeDomains?: readonly string[]
  /** Submitting accounts not to return (at their hourly limit). */
  excludeAccounts?: readonly number[]
  /** Recipients being attempted in this process (their marker may not be written yet). */
  excludeRecipients?: readonly number[]
}

export interface BounceMatchQuery {
  /** The original's Message-ID, as in its header (angle brackets included). */
  messageId?: string
  envid?: string
  /** The failed recipient (Final-Recipient / Original-Recipient address). */
  recipient: string
  /** Only messages queued at or after this time (epoch ms) when matching by recipient alone. */
  since: number
}

export interface QueueRepo {
  listRecipients(): Promise<QueuedRecipient[]>
  /** Due recipients not being attempted, oldest due first, grouped by (message, domain). */
  due(query: DueQuery): Promise<DueGroup[]>
  /** The earliest next_attempt_at of a recipient waiting for an attempt, if any. */
  nextDueAt(
    query?: Pick<DueQuery, 'excludeDomains' | 'excludeAccounts'>,
  ): Promise<number | undefined>
  message(queueId: number): Promise<QueuedMessage | undefined>
  /** The message as stored (CRLF line ends). */
  body(queueId: number): Promise<Buffer | undefined>
  /**
   * Before dialling: counts the attempt, sets the attempt marker and the retry time the row
   * falls back to if the attempt never reports (mox's rule), adds 'attempt' history rows.
   */
  startAttempt(input: {
    queueId: number
    recipientIds: number[]
    now: number
    retryAt: number
    /** Shown in the 'attempt' history rows (e.g. the attempt number). */
    detail?: string
  }): Promise<void>
  /** Writes outcomes (state, next attempt, reply, history) and clears the attempt marker. */
  update(updates: RecipientUpdate[], now: number): Promise<void>
  /** Attempts that were in progress when the process died become due now ('abandoned'). */
  recoverInterrupted(now: number): Promise<number>
  list(opts?: { states?: readonly RecipientState[]; limit?: number }): Promise<QueueListEntry[]>
  show(queueId: number): Promise<QueueDetail | undefined>
  /** Makes the message's waiting recipients due now; returns how many. */
  retry(queueId: number, now: number): Promise<number>
  /** Deletes the message, its recipients and history; false if there is none. */
  remove(queueId: number): Promise<boolean>
  /** Recipients by state (the queue-size gauge). */
  counts(): Promise<Record<RecipientState, number>>
  /** Finds the queued recipient an inbound DSN is about. */
  matchBounce(
    query: BounceMatchQuery,
  ): Promise<{ queueId: number; recipientId: number; state: RecipientState } | undefined>
  /** Appends history rows without changing state. */
  addHistory(
    entries: (HistoryInput & { queueId: number; recipientId?: number })[],
    now: number,
  ): Promise<void>
  /** Deletes finished messages (every recipient final) created before `before`. */
  purgeFinished(before: number): Promise<number>
}

export interface Suppression {
  /** Lower-cased. */
  address: string
  reason: string
  /** The remote reply or DSN diagnostic that caused it. */
  reply?: string
  createdAt: number
}

export interface SuppressionRepo {
  /** Adds or refreshes an entry; true when the address was not suppressed before. */
  add(entry: Suppression): Promise<boolean>
  get(address: string): Promise<Suppression | undefined>
  list(): Promise<Suppression[]>
  remove(address: string): Promise<boolean>
}
