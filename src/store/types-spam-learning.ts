// The store's contract for what the spam filter learns (Store.spamLearning): Bayesian token counts, sender
// reputation, greylisting triples and the outbound sender score of each account. Pure data;
// the policies that read and write them live in src/spam/.

export type SpamClass = 'spam' | 'ham'

export interface TokenCounts {
  spam: number
  ham: number
}

/**
 * Bayes statistics have a scope: an account id, or GLOBAL_SCOPE (0) for the statistics that
 * explicit global training builds (`postern spam train` without --account).
 */
export const GLOBAL_SCOPE = 0

export interface BayesTrainInput {
  scope: number
  /** A digest of the message (sha256 hex), so training the same message twice is a no-op. */
  digest: string
  /** Distinct tokens of the message. */
  tokens: readonly string[]
  class: SpamClass
  /** Epoch ms. */
  at: number
}

/**
 * 'trained': new message; 'retrained': it was trained as the other class before and was
 * untrained from it first; 'unchanged': already trained as this class.
 */
export type BayesTrainOutcome = 'trained' | 'retrained' | 'unchanged'

export interface BayesRepo {
  /** Messages trained in a scope, by class. */
  totals(scope: number): Promise<TokenCounts>
  /** Counts of the given tokens in a scope; tokens never seen are absent from the map. */
  tokenCounts(scope: number, tokens: readonly string[]): Promise<Map<string, TokenCounts>>
  /** The class a message was trained as in a scope, if it was. */
  trainedClass(scope: number, digest: string): Promise<SpamClass | undefined>
  /** Adds a message's tokens to its class (untraining the other class first), durably. */
  train(input: BayesTrainInput): Promise<BayesTrainOutcome>
}

/** A reputation subject: 'ip:192.0.2.0/24', 'ip:2001:db8:1:2::/64' or 'domain:example.org'. */
export interface ReputationCounts {
  key: string
  ham: number
  spam: number
  /** Messages users moved into Junk (or flagged $Junk). */
  correctedSpam: number
  /** Messages users moved out of Junk (or flagged $NotJunk). */
  correctedHam: number
  /** Epoch ms of the last update. */
  lastSeen: number
}

export type ReputationEvent = 'ham' | 'spam' | 'corrected-spam' | 'corrected-ham'

export interface ReputationRepo {
  get(keys: readonly string[]): Promise<ReputationCounts[]>
  /** Counts one event for each key, durably; subjects not seen since `pruneBefore` go. */
  record(input: {
    keys: readonly string[]
    event: ReputationEvent
    at: number
    pruneBefore: number
  }): Promise<void>
}

export interface GreylistEntry {
  triple: string
  firstSeen: number
  /** When a retry after the delay was accepted (or a DMARC pass passlisted it); else null. */
  passedAt: number | null
  lastSeen: number
}

export interface GreylistRepo {
  get(triple: string): Promise<GreylistEntry | undefined>
  /** Inserts or replaces the entry, durably; entries not seen since `pruneBefore` go. */
  put(entry: GreylistEntry, pruneBefore: number): Promise<void>
}

export type SenderOutcome = 'delivered' | 'bounced' | 'refused'

export interface SenderCounts {
  delivered: number
  bounced: number
  /** Messages the outbound pre-flight refused. */
  refused: number
}

export type SenderState = 'ok' | 'throttled' | 'suspended'

export interface SenderStatus {
  accountId: number
  state: SenderState
  reason: string
  /** Epoch ms the state began. */
  since: number
  /** When an administrator last lifted a restriction: counts before it are forgotten. */
  liftedAt: number | null
}

export interface SenderScoreRepo {
  /**
   * Counts one outcome in the account's hourly bucket, durably; buckets that started before
   * `pruneBefore` are deleted (so the counters stay bounded by the window).
   */
  count(input: {
    accountId: number
    outcome: SenderOutcome
    bucket: number
    pruneBefore: number
  }): Promise<void>
  /** Sums of the buckets that started at or after `since`. */
  counts(accountId: number, since: number): Promise<SenderCounts>
  status(accountId: number): Promise<SenderStatus | undefined>
  setStatus(status: SenderStatus): Promise<void>
  /** Every account with a stored status. */
  listStatus(): Promise<SenderStatus[]>
}

export interface SpamLearningRepo {
  readonly bayes: BayesRepo
  readonly reputation: ReputationRepo
  readonly greylist: GreylistRepo
  readonly senderScore: SenderScoreRepo
}
