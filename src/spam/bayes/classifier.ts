// The Bayesian classifier: trains token counts in the store and turns a message's probability
// of being spam into one weighted signal ('bayes').
//
// Scopes: each account has its own statistics, trained from its own corrections over IMAP and
// `postern spam train --account`; the global statistics (scope 0) only from explicit global
// training (`postern spam train` without --account). A message for an account is classified
// with the sum of that account's and the global counts (per token and per class total): the
// global set is a shared starting point the account's own training adds to, and one account's
// tokens never reach another account's classification. With several local recipients the
// signal is the mean of their probabilities. No opinion (no hit) until the combined training
// holds min_spam spam and min_ham ham messages.
import { createHash } from 'node:crypto'
import type {
  BayesRepo,
  BayesTrainOutcome,
  SpamClass,
  TokenCounts,
} from '../../store/types-spam-learning.ts'
import { GLOBAL_SCOPE } from '../../store/types-spam-learning.ts'
import type { SignalInput, SignalSource, SpamHit } from '../signal.ts'
import { combine, selectClues, type Clue } from './combine.ts'
import { tokenize } from './tokenizer.ts'

export interface BayesOptions {
  repo: BayesRepo
  /** Messages of each class the statistics need before the classifier gives an opinion. */
  minSpam: number
  minHam: number
  /** Score at probability 1 (and minus it at 0); the score is linear in between. */
  weight: number
  clock: () => number
}

export interface Classification {
  probability: number
  /** Messages trained (account + global) per class. */
  trained: TokenCounts
  /** The most significant tokens, most significant first. */
  clues: Clue[]
}

/** At most this many local accounts are classified for one message. */
const MAX_ACCOUNTS = 10
/** Probabilities this close to 0.5 are no opinion. */
const NEUTRAL_BAND = 0.1

export class BayesClassifier implements SignalSource {
  readonly name = 'bayes'
  readonly #opts: BayesOptions

  constructor(opts: BayesOptions) {
    this.#opts = opts
  }

  /** The message's digest: training the same message twice counts once. */
  static digest(raw: Buffer): string {
    return createHash('sha256').update(raw).digest('hex')
  }

  /** Trains one message for an account (or GLOBAL_SCOPE), untraining an earlier class. */
  async train(input: { raw: Buffer; class: SpamClass; scope: number }): Promise<BayesTrainOutcome> {
    return this.#opts.repo.train({
      scope: input.scope,
      digest: BayesClassifier.digest(input.raw),
      tokens: tokenize(input.raw),
      class: input.class,
      at: this.#opts.clock(),
    })
  }

  /** The class a message was trained as for an account, if it was. */
  trainedClass(raw: Buffer, scope: number): Promise<SpamClass | undefined> {
    return this.#opts.repo.trainedClass(scope, BayesClassifier.digest(raw))
  }

  /** The message's spam probability for an account; undefined while under-trained. */
  async classify(raw: Buffer, accountId: number): Promise<Classification | undefined> {
    return this.#classifyTokens(() => tokenize(raw), accountId)
  }

  /** `tokensOf` is called only once the scopes hold enough training (tokenizing costs). */
  async #classifyTokens(
    tokensOf: () => readonly string[],
    accountId: number,
  ): Promise<Classification | undefined> {
    const { repo } = this.#opts
    const scopes = accountId === GLOBAL_SCOPE ? [GLOBAL_SCOPE] : [accountId, GLOBAL_SCOPE]
    const totals: TokenCounts = { spam: 0, ham: 0 }
    const counts = new Map<string, TokenCounts>()
    for (const scope of scopes) {
      const t = await repo.totals(scope)
      totals.spam += t.spam
      totals.ham += t.ham
    }
    if (totals.spam < this.#opts.minSpam || totals.ham < this.#opts.minHam) return undefined
    const tokens = tokensOf()
    for (const scope of scopes) {
      for (const [token, c] of await repo.tokenCounts(scope, tokens)) {
        const sum = counts.get(token) ?? { spam: 0, ham: 0 }
        counts.set(token, { spam: sum.spam + c.spam, ham: sum.ham + c.ham })
      }
    }
    const clues = selectClues(tokens, counts, totals)
    return { probability: combine(clues), trained: totals, clues }
  }

  async evaluate(input: SignalInput): Promise<SpamHit[]> {
    // The statistics are of what an account receives: they do not judge what it sends.
    if (input.direction === 'outbound') return []
    try {
      return await this.#evaluate(input)
    } catch {
      return [] // a store failure: no opinion rather than no verdict
    }
  }

  async #evaluate(input: SignalInput): Promise<SpamHit[]> {
    let tokens: readonly string[] | undefined
    const tokensOf = (): readonly string[] => (tokens ??= tokenize(input.raw))
    const accounts = input.accountIds.length > 0 ? input.accountIds : [GLOBAL_SCOPE]
    const results: Classification[] = []
    for (const accountId of accounts.slice(0, MAX_ACCOUNTS)) {
      const c = await this.#classifyTokens(tokensOf, accountId)
      if (c !== undefined) results.push(c)
    }
    const first = results[0]
    if (first === undefined) return []
    const probability = results.reduce((sum, r) => sum + r.probability, 0) / results.length
    if (Math.abs(probability - 0.5) < NEUTRAL_BAND) return []
    const score = Math.round(this.#opts.weight * (probability - 0.5) * 200) / 100
    const shown = probability.toFixed(2)
    return [
      {
        rule: probability > 0.5 ? 'BAYES_SPAM' : 'BAYES_HAM',
        source: 'bayes',
        score,
        reason:
          `Bayes probability ${shown} (trained on ${String(first.trained.spam)} spam, ` +
          `${String(first.trained.ham)} ham)`,
        detail: {
          probability,
          trainedSpam: first.trained.spam,
          trainedHam: first.trained.ham,
          accounts: results.length,
          clues: first.clues.slice(0, 10).map((c) => `${c.token}=${c.probability.toFixed(3)}`),
        },
      },
    ]
  }
}
