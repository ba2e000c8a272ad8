// Builds the spam stage's dependencies from the `spam` config section: the analyzer with its
// thresholds and signal sources, and the retention of stored explanations (deleted after
// keep_explanations_days, checked at start and every hour).
import type { Config } from '../config/schema.ts'
import type { SpamStageDeps } from '../smtp-server/pipeline/spam.ts'
import type { Store } from '../store/types.ts'
import { SpamAnalyzer, type VerdictObserver } from './analyze.ts'
import type { SignalSource } from './signal.ts'
import type { SpamThresholds } from './verdict.ts'

const DAY_MS = 86_400_000
const PRUNE_EVERY_MS = 3_600_000

export function spamThresholds(config: Config): SpamThresholds {
  const s = config.spam
  return { junk: s.junk_threshold, reject: s.reject_threshold, preflight: s.preflight_threshold }
}

export interface SpamServiceOptions {
  config: Config
  store: Store
  clock: () => number
  /** Bayes, reputation, DNS blocklists (spam-learn's sources). */
  signals?: readonly SignalSource[]
  observer?: VerdictObserver
}

export interface SpamService {
  /** undefined when spam.enabled is false. */
  stage: SpamStageDeps | undefined
  /** Stops the retention timer. */
  close(): void
}

export function createSpamService(opts: SpamServiceOptions): SpamService {
  const s = opts.config.spam
  if (!s.enabled) return { stage: undefined, close: () => undefined }
  const analyzer = new SpamAnalyzer({
    thresholds: spamThresholds(opts.config),
    signals: opts.signals ?? [],
    signalBudgetMs: s.signal_budget_ms,
    clock: opts.clock,
    ...(opts.observer === undefined ? {} : { observer: opts.observer }),
  })
  let timer: NodeJS.Timeout | undefined
  if (s.keep_explanations_days > 0) {
    const prune = (): void => {
      const before = opts.clock() - s.keep_explanations_days * DAY_MS
      opts.store.spamExplanations.prune(before).catch(() => undefined) // retried next hour
    }
    prune()
    timer = setInterval(prune, PRUNE_EVERY_MS)
    timer.unref()
  }
  return {
    stage: { analyzer, preflight: true },
    close: () => {
      clearInterval(timer)
    },
  }
}
