// The Bayesian classifier on a real SQLite store: held-out accuracy after training on
// synthetic labelled mail, no opinion while under-trained, per-account isolation, the global
// statistics as a shared base, and retraining a corrected message.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteStore } from '../../store/dialects/sqlite/open-sqlite-store.ts'
import type { Store } from '../../store/types.ts'
import { GLOBAL_SCOPE } from '../../store/types-spam-learning.ts'
import type { SignalInput } from '../signal.ts'
import { BayesClassifier } from './classifier.ts'
import { syntheticMail, type LabelledMessage } from './synthetic-mail.ts'

async function withClassifier(
  fn: (c: BayesClassifier, store: Store) => Promise<void>,
  opts: { minSpam?: number; minHam?: number } = {},
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-bayes-'))
  const store = openSqliteStore({ path: join(dir, 'db.sqlite') })
  const classifier = new BayesClassifier({
    repo: store.spamLearning.bayes,
    minSpam: opts.minSpam ?? 20,
    minHam: opts.minHam ?? 20,
    weight: 4,
    clock: () => 1_700_000_000_000,
  })
  try {
    await fn(classifier, store)
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function trainAll(c: BayesClassifier, set: LabelledMessage[], scope: number): Promise<void> {
  for (const m of set) await c.train({ raw: m.raw, class: m.spam ? 'spam' : 'ham', scope })
}

function input(raw: Buffer, accountIds: number[]): SignalInput {
  return {
    raw,
    clientIp: '192.0.2.1',
    helo: 'x',
    mailFrom: 'a@x.test',
    rcpts: ['user@postern.test'],
    accountIds,
    direction: 'inbound',
  }
}

void test('classifies a held-out set far better than chance', async () => {
  await withClassifier(async (c) => {
    await trainAll(c, syntheticMail({ count: 300, seed: 1 }), 7)
    const heldOut = syntheticMail({ count: 300, seed: 99 })
    const probabilities: { spam: boolean; p: number }[] = []
    for (const m of heldOut) {
      const result = await c.classify(m.raw, 7)
      assert.ok(result !== undefined)
      probabilities.push({ spam: m.spam, p: result.probability })
    }
    const rates = (threshold: number) => {
      const saysSpam = probabilities.filter((x) => x.p > threshold)
      const tp = saysSpam.filter((x) => x.spam).length
      const ham = probabilities.filter((x) => !x.spam).length
      return {
        accuracy: (tp + (ham - (saysSpam.length - tp))) / probabilities.length,
        falsePositiveRate: (saysSpam.length - tp) / ham,
        recall: tp / (probabilities.length - ham),
      }
    }
    const even = rates(0.5)
    assert.ok(even.accuracy >= 0.85, `accuracy at 0.5: ${JSON.stringify(even)}`)
    // Where the signal weighs most (p > 0.9) it must be nearly free of false positives.
    const sure = rates(0.9)
    assert.ok(sure.falsePositiveRate <= 0.02, `at 0.9: ${JSON.stringify(sure)}`)
    assert.ok(sure.recall >= 0.5, `at 0.9: ${JSON.stringify(sure)}`)
  })
})

void test('gives no opinion until enough messages of each class are trained', async () => {
  await withClassifier(async (c) => {
    const set = syntheticMail({ count: 30, seed: 3 })
    await trainAll(c, set, 1)
    const sample = set[0]
    assert.ok(sample !== undefined)
    assert.equal(await c.classify(sample.raw, 1), undefined) // 15 of each < 20
    assert.deepEqual(await c.evaluate(input(sample.raw, [1])), [])
    await trainAll(c, syntheticMail({ count: 20, seed: 4 }), 1)
    // What an account sends is not judged by what it receives.
    assert.deepEqual(await c.evaluate({ ...input(sample.raw, [1]), direction: 'outbound' }), [])
    const hits = await c.evaluate(input(sample.raw, [1]))
    assert.equal(hits.length, 1)
    assert.equal(hits.at(0)?.rule, 'BAYES_SPAM')
    assert.ok((hits.at(0)?.score ?? 0) > 3)
    assert.match(
      hits.at(0)?.reason ?? '',
      /^Bayes probability 0\.9\d \(trained on 25 spam, 25 ham\)$/,
    )
  })
})

void test("one account's training never affects another's classification", async () => {
  await withClassifier(async (c) => {
    const probe = syntheticMail({ count: 20, seed: 50 })
    await trainAll(c, syntheticMail({ count: 100, seed: 5 }), 1)
    const before = await Promise.all(probe.map((m) => c.classify(m.raw, 1)))
    // Account 2 learns the opposite labels, and plenty of them.
    const inverted = syntheticMail({ count: 200, seed: 6 }).map((m) => ({ ...m, spam: !m.spam }))
    await trainAll(c, inverted, 2)
    const after = await Promise.all(probe.map((m) => c.classify(m.raw, 1)))
    assert.deepEqual(after, before)
    // ... while account 2 itself now classifies the other way round.
    const first = probe[0]
    assert.ok(first?.spam === true)
    assert.ok(((await c.classify(first.raw, 2))?.probability ?? 1) < 0.5)
    // An account that never trained has no opinion (no global statistics here).
    assert.equal(await c.classify(first.raw, 3), undefined)
  })
})

void test('global statistics are the base every account adds to', async () => {
  await withClassifier(async (c, store) => {
    await trainAll(c, syntheticMail({ count: 60, seed: 8 }), GLOBAL_SCOPE)
    const [spam] = syntheticMail({ count: 1, seed: 9 })
    assert.ok(spam?.spam === true)
    const result = await c.classify(spam.raw, 42)
    assert.deepEqual(result?.trained, { spam: 30, ham: 30 })
    assert.deepEqual(result, await c.classify(spam.raw, GLOBAL_SCOPE))
    assert.deepEqual(await store.spamLearning.bayes.totals(42), { spam: 0, ham: 0 })
  })
})

void test('training twice counts once; a correction moves the message to the other class', async () => {
  await withClassifier(async (c, store) => {
    const [m] = syntheticMail({ count: 1, seed: 10 })
    assert.ok(m !== undefined)
    assert.equal(await c.train({ raw: m.raw, class: 'spam', scope: 1 }), 'trained')
    assert.equal(await c.train({ raw: m.raw, class: 'spam', scope: 1 }), 'unchanged')
    assert.deepEqual(await store.spamLearning.bayes.totals(1), { spam: 1, ham: 0 })
    assert.equal(await c.train({ raw: m.raw, class: 'ham', scope: 1 }), 'retrained')
    assert.deepEqual(await store.spamLearning.bayes.totals(1), { spam: 0, ham: 1 })
    assert.equal(await c.trainedClass(m.raw, 1), 'ham')
    const counts = await store.spamLearning.bayes.tokenCounts(1, ['from-domain:deals-now.test'])
    for (const value of counts.values()) assert.equal(value.spam, 0)
  })
})
