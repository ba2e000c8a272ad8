// bench/bayes.ts — the Bayesian classifier's accuracy and cost (npm run bench:bayes; a
// benchmark, not a test). Trains one account on N labelled synthetic messages
// (src/spam/bayes/synthetic-mail.ts: real spam corpora are scarce on this machine) in a fresh
// SQLite store, then classifies M held-out ones: prints precision, recall and false-positive
// rate at p > 0.5 and p > 0.9, the training cost per message, and the classification latency
// (tokenize + store lookups + combining) at p50/p99. Ends with one machine-readable
// `RESULT key=value ...` line. Bounded: N, M <= 20,000.
//
// Usage: node bench/bayes.ts [--train N] [--test M] [--seed S]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BayesClassifier } from '../src/spam/bayes/classifier.ts'
import { syntheticMail } from '../src/spam/bayes/synthetic-mail.ts'
import { openSqliteStore } from '../src/store/dialects/sqlite/open-sqlite-store.ts'

const { values: flags } = parseArgs({
  options: {
    train: { type: 'string', default: '400' },
    test: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
  },
})
const TRAIN = Math.min(20_000, Math.max(40, Number(flags.train)))
const TEST = Math.min(20_000, Math.max(10, Number(flags.test)))
const SEED = Number(flags.seed)
const ACCOUNT = 1

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN
}

const dir = mkdtempSync(join(tmpdir(), 'postern-bench-bayes-'))
const store = openSqliteStore({ path: join(dir, 'bench.db') })
try {
  const classifier = new BayesClassifier({
    repo: store.spamLearning.bayes,
    minSpam: 20,
    minHam: 20,
    weight: 4,
    clock: Date.now,
  })
  const trainStart = performance.now()
  for (const m of syntheticMail({ count: TRAIN, seed: SEED })) {
    await classifier.train({ raw: m.raw, class: m.spam ? 'spam' : 'ham', scope: ACCOUNT })
  }
  const trainMs = (performance.now() - trainStart) / TRAIN
  const results: { spam: boolean; p: number }[] = []
  const latencies: number[] = []
  for (const m of syntheticMail({ count: TEST, seed: SEED + 1000 })) {
    const started = performance.now()
    const c = await classifier.classify(m.raw, ACCOUNT)
    latencies.push(performance.now() - started)
    results.push({ spam: m.spam, p: c?.probability ?? 0.5 })
  }
  latencies.sort((a, b) => a - b)
  const rates = (threshold: number) => {
    const flagged = results.filter((r) => r.p > threshold)
    const tp = flagged.filter((r) => r.spam).length
    const fp = flagged.length - tp
    const spam = results.filter((r) => r.spam).length
    return {
      precision: flagged.length === 0 ? 1 : tp / flagged.length,
      recall: tp / spam,
      fpr: fp / (results.length - spam),
    }
  }
  const even = rates(0.5)
  const sure = rates(0.9)
  const f = (n: number) => n.toFixed(3)
  console.log(`trained ${String(TRAIN)} messages, classified ${String(TEST)} held-out ones`)
  console.log(`p > 0.5: precision ${f(even.precision)} recall ${f(even.recall)} FPR ${f(even.fpr)}`)
  console.log(`p > 0.9: precision ${f(sure.precision)} recall ${f(sure.recall)} FPR ${f(sure.fpr)}`)
  const p50 = percentile(latencies, 0.5)
  const p99 = percentile(latencies, 0.99)
  console.log(`train ${f(trainMs)} ms/message; classify p50 ${f(p50)} ms, p99 ${f(p99)} ms`)
  console.log(
    `RESULT train=${String(TRAIN)} test=${String(TEST)} precision=${f(even.precision)} ` +
      `recall=${f(even.recall)} fpr=${f(even.fpr)} precision90=${f(sure.precision)} ` +
      `recall90=${f(sure.recall)} fpr90=${f(sure.fpr)} train_ms=${f(trainMs)} ` +
      `classify_p50_ms=${f(p50)} classify_p99_ms=${f(p99)}`,
  )
} finally {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
