// The spam analyzer: runs the content rules (synchronously, bounded) while the injected
// signal sources (Bayes, reputation, DNS blocklists — src/spam/signal.ts) answer concurrently
// within a time budget, sums every hit into one score and decides the action (verdict.ts).
// An optional observer hears each verdict (sender reputation learns from it).

import type { AuthOutcome } from '../email-auth/outcome.ts'
import { authRules } from './rules/auth.ts'
import { runContentRules } from './rules/index.ts'
import type { SignalInput, SignalSource, SpamHit } from './signal.ts'
import {
  decideAction,
  roundScore,
  sortHits,
  type SourceReport,
  type SpamThresholds,
  type SpamVerdict,
} from './verdict.ts'

export interface VerdictObserver {
  /** Called after each verdict; errors are ignored (never delay or fail the message). */
  onVerdict(input: SignalInput, verdict: SpamVerdict): void | Promise<void>
}

export interface SpamAnalyzerOptions {
  thresholds: SpamThresholds
  signals?: readonly SignalSource[]
  /** Longest wait for the signal sources, in ms; a late source counts as no hits. */
  signalBudgetMs?: number
  clock?: () => number
  observer?: VerdictObserver
}

export const DEFAULT_SIGNAL_BUDGET_MS = 2000

export class SpamAnalyzer {
  readonly thresholds: SpamThresholds
  readonly #signals: readonly SignalSource[]
  readonly #budgetMs: number
  readonly #clock: () => number
  readonly #observer: VerdictObserver | undefined

  constructor(opts: SpamAnalyzerOptions) {
    this.thresholds = opts.thresholds
    this.#signals = opts.signals ?? []
    this.#budgetMs = opts.signalBudgetMs ?? DEFAULT_SIGNAL_BUDGET_MS
    this.#clock = opts.clock ?? Date.now
    this.#observer = opts.observer
  }

  async analyze(input: SignalInput): Promise<SpamVerdict> {
    const started = this.#clock()
    const pending = this.#runSignals(input)
    const { hits } = runContentRules(input.raw)
    hits.push(...authRules(input.auth))
    const signals = await pending
    for (const s of signals) hits.push(...s.hits)
    const score = roundScore(hits.reduce((sum, h) => sum + h.score, 0))
    const verdict: SpamVerdict = {
      version: 1,
      direction: input.direction,
      score,
      action: decideAction(score, input.direction, this.thresholds),
      thresholds: this.thresholds,
      hits: sortHits(hits),
      sources: signals.map((s) => s.report),
      ...(input.auth === undefined ? {} : { auth: authSummary(input.auth) }),
      analyzedAt: started,
      durationMs: this.#clock() - started,
    }
    this.#notify(input, verdict)
    return verdict
  }

  #notify(input: SignalInput, verdict: SpamVerdict): void {
    if (this.#observer === undefined) return
    try {
      Promise.resolve(this.#observer.onVerdict(input, verdict)).catch(() => undefined)
    } catch {
      // An observer's failure never affects the message.
    }
  }

  #runSignals(input: SignalInput): Promise<{ hits: SpamHit[]; report: SourceReport }[]> {
    if (this.#signals.length === 0) return Promise.resolve([])
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout')
      }, this.#budgetMs)
    })
    const runs = this.#signals.map((source) => this.#runOne(source, input, deadline))
    return Promise.all(runs).finally(() => {
      clearTimeout(timer)
    })
  }

  async #runOne(
    source: SignalSource,
    input: SignalInput,
    deadline: Promise<'timeout'>,
  ): Promise<{ hits: SpamHit[]; report: SourceReport }> {
    const started = this.#clock()
    const report = (status: SourceReport['status'], hits: SpamHit[], error?: string) => ({
      hits,
      report: {
        name: source.name,
        status,
        ms: this.#clock() - started,
        hits: hits.length,
        ...(error === undefined ? {} : { error }),
      },
    })
    try {
      const result = await Promise.race([source.evaluate(input), deadline])
      if (result === 'timeout') return report('timeout', [])
      return report('ok', result.filter(isValidHit))
    } catch (err) {
      return report('error', [], err instanceof Error ? err.message : String(err))
    }
  }
}

function isValidHit(h: SpamHit): boolean {
  return typeof h.rule === 'string' && Number.isFinite(h.score)
}

function authSummary(auth: AuthOutcome): NonNullable<SpamVerdict['auth']> {
  return {
    spf: `${auth.spf.result} (${auth.spf.domain})`,
    dkim: auth.dkim.map((d) => `${d.result} (${d.domain}${d.aligned ? ', aligned' : ''})`),
    dmarc: `${auth.dmarc.result} (${auth.dmarc.domain}, policy ${auth.dmarc.policy})`,
    header: auth.header,
  }
}
