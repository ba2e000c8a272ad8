// What the spam filter learns, on SQLite (contract: src/store/types-spam-learning.ts): Bayes
// token counts, sender reputation, greylisting triples and the outbound sender score. Every
// write goes through the store's group committer (store-write.ts), so it is on disk before
// its promise resolves; reads run at once.

import type { Database, Statement } from 'better-sqlite3'
import type {
  BayesRepo,
  BayesTrainInput,
  BayesTrainOutcome,
  GreylistEntry,
  GreylistRepo,
  ReputationCounts,
  ReputationEvent,
  ReputationRepo,
  SenderCounts,
  SenderOutcome,
  SenderScoreRepo,
  SenderStatus,
  SpamClass,
  SpamLearningRepo,
  TokenCounts,
} from '../../types-spam-learning.ts'
import { asAsync } from './as-async.ts'
import type { SubmitWrite } from './store-write.ts'

/** Tokens per SELECT ... IN (...) (SQLite's default variable limit is 32766). */
const TOKEN_CHUNK = 500

export class SqliteSpamLearningRepo implements SpamLearningRepo {
  readonly bayes: BayesRepo
  readonly reputation: ReputationRepo
  readonly greylist: GreylistRepo
  readonly senderScore: SenderScoreRepo

  constructor(db: Database, submit: SubmitWrite) {
    this.bayes = new SqliteBayesRepo(db, submit)
    this.reputation = new SqliteReputationRepo(db, submit)
    this.greylist = new SqliteGreylistRepo(db, submit)
    this.senderScore = new SqliteSenderScoreRepo(db, submit)
  }
}

class SqliteBayesRepo implements BayesRepo {
  readonly #db: Database
  readonly #submit: SubmitWrite
  readonly #totals: Statement<[number], TokenCounts>
  readonly #trained: Statement<[number, string], { class: SpamClass }>
  readonly #addToken: Statement<[{ scope: number; token: string; spam: number; ham: number }]>
  readonly #addTotal: Statement<[{ scope: number; spam: number; ham: number }]>
  readonly #markTrained: Statement<[number, string, SpamClass, number]>
  readonly #chunkQuery = new Map<number, Statement<unknown[], TokenRow>>()

  constructor(db: Database, submit: SubmitWrite) {
    this.#db = db
    this.#submit = submit
    this.#totals = db.prepare('SELECT spam, ham FROM bayes_totals WHERE scope = ?')
    this.#trained = db.prepare('SELECT class FROM bayes_trained WHERE scope = ? AND digest = ?')
    // Counts never go below zero (an untrain of data trained before a reset).
    this.#addToken = db.prepare(
      `INSERT INTO bayes_tokens (scope, token, spam, ham)
         VALUES (@scope, @token, max(@spam, 0), max(@ham, 0))
       ON CONFLICT (scope, token) DO UPDATE
         SET spam = max(spam + @spam, 0), ham = max(ham + @ham, 0)`,
    )
    this.#addTotal = db.prepare(
      `INSERT INTO bayes_totals (scope, spam, ham) VALUES (@scope, max(@spam, 0), max(@ham, 0))
       ON CONFLICT (scope) DO UPDATE SET spam = max(spam + @spam, 0), ham = max(ham + @ham, 0)`,
    )
    this.#markTrained = db.prepare(
      `INSERT INTO bayes_trained (scope, digest, class, trained_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (scope, digest) DO UPDATE
         SET class = excluded.class, trained_at = excluded.trained_at`,
    )
  }

  totals(scope: number): Promise<TokenCounts> {
    return asAsync(() => this.#totals.get(scope) ?? { spam: 0, ham: 0 })
  }

  tokenCounts(scope: number, tokens: readonly string[]): Promise<Map<string, TokenCounts>> {
    return asAsync(() => {
      const out = new Map<string, TokenCounts>()
      for (let i = 0; i < tokens.length; i += TOKEN_CHUNK) {
        const chunk = tokens.slice(i, i + TOKEN_CHUNK)
        for (const row of this.#chunkStatement(chunk.length).all(scope, ...chunk)) {
          out.set(row.token, { spam: row.spam, ham: row.ham })
        }
      }
      return out
    })
  }

  trainedClass(scope: number, digest: string): Promise<SpamClass | undefined> {
    return asAsync(() => this.#trained.get(scope, digest)?.class)
  }

  train(input: BayesTrainInput): Promise<BayesTrainOutcome> {
    return this.#submit(() => {
      const before = this.#trained.get(input.scope, input.digest)?.class
      if (before === input.class) return { value: 'unchanged' as const, changes: [] }
      if (before !== undefined) this.#apply(input.scope, input.tokens, before, -1)
      this.#apply(input.scope, input.tokens, input.class, 1)
      this.#markTrained.run(input.scope, input.digest, input.class, input.at)
      const value: BayesTrainOutcome = before === undefined ? 'trained' : 'retrained'
      return { value, changes: [] }
    })
  }

  #apply(scope: number, tokens: readonly string[], cls: SpamClass, sign: 1 | -1): void {
    const spam = cls === 'spam' ? sign : 0
    const ham = cls === 'ham' ? sign : 0
    for (const token of tokens) this.#addToken.run({ scope, token, spam, ham })
    this.#addTotal.run({ scope, spam, ham })
  }

  #chunkStatement(size: number): Statement<unknown[], TokenRow> {
    let statement = this.#chunkQuery.get(size)
    if (statement === undefined) {
      const marks = new Array<string>(size).fill('?').join(', ')
      statement = this.#db.prepare(
        `SELECT token, spam, ham FROM bayes_tokens WHERE scope = ? AND token IN (${marks})`,
      )
      this.#chunkQuery.set(size, statement)
    }
    return statement
  }
}

interface TokenRow {
  token: string
  spam: number
  ham: number
}

interface ReputationRow {
  key: string
  ham: number
  spam: number
  corrected_spam: number
  corrected_ham: number
  last_seen: number
}

const REPUTATION_COLUMN: Record<ReputationEvent, string> = {
  ham: 'ham',
  spam: 'spam',
  'corrected-spam': 'corrected_spam',
  'corrected-ham': 'corrected_ham',
}

class SqliteReputationRepo implements ReputationRepo {
  readonly #submit: SubmitWrite
  readonly #get: Statement<[string], ReputationRow>
  readonly #record: Map<ReputationEvent, Statement<[{ key: string; at: number }]>>
  readonly #prune: Statement<[number]>

  constructor(db: Database, submit: SubmitWrite) {
    this.#submit = submit
    this.#get = db.prepare(
      'SELECT key, ham, spam, corrected_spam, corrected_ham, last_seen FROM reputation WHERE key = ?',
    )
    // Bounded: at most this many forgotten subjects go per write, the rest on later writes.
    this.#prune = db.prepare(
      `DELETE FROM reputation WHERE key IN
         (SELECT key FROM reputation WHERE last_seen < ? ORDER BY last_seen LIMIT 100)`,
    )
    this.#record = new Map(
      (Object.keys(REPUTATION_COLUMN) as ReputationEvent[]).map((event) => {
        const column = REPUTATION_COLUMN[event]
        const statement = db.prepare<[{ key: string; at: number }]>(
          `INSERT INTO reputation (key, ${column}, last_seen) VALUES (@key, 1, @at)
           ON CONFLICT (key) DO UPDATE SET ${column} = ${column} + 1, last_seen = @at`,
        )
        return [event, statement]
      }),
    )
  }

  get(keys: readonly string[]): Promise<ReputationCounts[]> {
    return asAsync(() =>
      keys.flatMap((key) => {
        const r = this.#get.get(key)
        if (r === undefined) return []
        return [
          {
            key: r.key,
            ham: r.ham,
            spam: r.spam,
            correctedSpam: r.corrected_spam,
            correctedHam: r.corrected_ham,
            lastSeen: r.last_seen,
          },
        ]
      }),
    )
  }

  record(input: {
    keys: readonly string[]
    event: ReputationEvent
    at: number
    pruneBefore: number
  }): Promise<void> {
    const statement = this.#record.get(input.event)
    return this.#submit(() => {
      this.#prune.run(input.pruneBefore)
      for (const key of input.keys) statement?.run({ key, at: input.at })
      return { value: undefined, changes: [] }
    })
  }
}

interface GreylistRow {
  triple: string
  first_seen: number
  passed_at: number | null
  last_seen: number
}

class SqliteGreylistRepo implements GreylistRepo {
  readonly #submit: SubmitWrite
  readonly #get: Statement<[string], GreylistRow>
  readonly #put: Statement<[string, number, number | null, number]>
  readonly #prune: Statement<[number]>

  constructor(db: Database, submit: SubmitWrite) {
    this.#submit = submit
    this.#get = db.prepare(
      'SELECT triple, first_seen, passed_at, last_seen FROM greylist WHERE triple = ?',
    )
    this.#put = db.prepare(
      `INSERT INTO greylist (triple, first_seen, passed_at, last_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (triple) DO UPDATE SET first_seen = excluded.first_seen,
         passed_at = excluded.passed_at, last_seen = excluded.last_seen`,
    )
    // Bounded: at most this many stale rows go per write, the rest on later writes.
    this.#prune = db.prepare(
      `DELETE FROM greylist WHERE triple IN
         (SELECT triple FROM greylist WHERE last_seen < ? ORDER BY last_seen LIMIT 100)`,
    )
  }

  get(triple: string): Promise<GreylistEntry | undefined> {
    return asAsync(() => {
      const r = this.#get.get(triple)
      if (r === undefined) return undefined
      return {
        triple: r.triple,
        firstSeen: r.first_seen,
        passedAt: r.passed_at,
        lastSeen: r.last_seen,
      }
    })
  }

  put(entry: GreylistEntry, pruneBefore: number): Promise<void> {
    return this.#submit(() => {
      this.#prune.run(pruneBefore)
      this.#put.run(entry.triple, entry.firstSeen, entry.passedAt, entry.lastSeen)
      return { value: undefined, changes: [] }
    })
  }
}

interface StatusRow {
  account_id: number
  state: SenderStatus['state']
  reason: string
  since: number
  lifted_at: number | null
}

function toStatus(r: StatusRow): SenderStatus {
  return {
    accountId: r.account_id,
    state: r.state,
    reason: r.reason,
    since: r.since,
    liftedAt: r.lifted_at,
  }
}

class SqliteSenderScoreRepo implements SenderScoreRepo {
  readonly #submit: SubmitWrite
  readonly #count: Map<SenderOutcome, Statement<[number, number]>>
  readonly #prune: Statement<[number, number]>
  readonly #counts: Statement<[number, number], SenderCounts>
  readonly #status: Statement<[number], StatusRow>
  readonly #listStatus: Statement<[], StatusRow>
  readonly #setStatus: Statement<[number, string, string, number, number | null]>

  constructor(db: Database, submit: SubmitWrite) {
    this.#submit = submit
    const outcomes: SenderOutcome[] = ['delivered', 'bounced', 'refused']
    this.#count = new Map(
      outcomes.map((outcome) => [
        outcome,
        db.prepare<[number, number]>(
          `INSERT INTO sender_counters (account_id, bucket, ${outcome}) VALUES (?, ?, 1)
           ON CONFLICT (account_id, bucket) DO UPDATE SET ${outcome} = ${outcome} + 1`,
        ),
      ]),
    )
    this.#prune = db.prepare('DELETE FROM sender_counters WHERE account_id = ? AND bucket < ?')
    this.#counts = db.prepare(
      `SELECT coalesce(sum(delivered), 0) AS delivered, coalesce(sum(bounced), 0) AS bounced,
              coalesce(sum(refused), 0) AS refused
         FROM sender_counters WHERE account_id = ? AND bucket >= ?`,
    )
    const columns = 'account_id, state, reason, since, lifted_at'
    this.#status = db.prepare(`SELECT ${columns} FROM sender_status WHERE account_id = ?`)
    this.#listStatus = db.prepare(`SELECT ${columns} FROM sender_status ORDER BY account_id`)
    this.#setStatus = db.prepare(
      `INSERT INTO sender_status (${columns}) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
         since = excluded.since, lifted_at = excluded.lifted_at`,
    )
  }

  count(input: {
    accountId: number
    outcome: SenderOutcome
    bucket: number
    pruneBefore: number
  }): Promise<void> {
    const statement = this.#count.get(input.outcome)
    return this.#submit(() => {
      this.#prune.run(input.accountId, input.pruneBefore)
      statement?.run(input.accountId, input.bucket)
      return { value: undefined, changes: [] }
    })
  }

  counts(accountId: number, since: number): Promise<SenderCounts> {
    return asAsync(
      () => this.#counts.get(accountId, since) ?? { delivered: 0, bounced: 0, refused: 0 },
    )
  }

  status(accountId: number): Promise<SenderStatus | undefined> {
    return asAsync(() => {
      const r = this.#status.get(accountId)
      return r === undefined ? undefined : toStatus(r)
    })
  }

  setStatus(status: SenderStatus): Promise<void> {
    return this.#submit(() => {
      this.#setStatus.run(
        status.accountId,
        status.state,
        status.reason,
        status.since,
        status.liftedAt,
      )
      return { value: undefined, changes: [] }
    })
  }

  listStatus(): Promise<SenderStatus[]> {
    return asAsync(() => this.#listStatus.all().map(toStatus))
  }
}
