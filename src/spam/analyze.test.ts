import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SpamAnalyzer } from './analyze.ts'
import {
  gtubeMessage,
  newsletter,
  personalMessage,
  receiptWithPdf,
  strongSpam,
} from './sample-messages.ts'
import type { SignalInput, SignalSource, SpamHit } from './signal.ts'
import { spamHeaderFields, topReasons, type SpamVerdict } from './verdict.ts'
import { formatExplanation } from './explain.ts'

const thresholds = { junk: 5, reject: 12, preflight: 8 }

function input(raw: Buffer, direction: 'inbound' | 'outbound' = 'inbound'): SignalInput {
  return {
    raw,
    clientIp: '192.0.2.10',
    helo: 'client.example',
    mailFrom: 'a@example.org',
    rcpts: ['b@example.net'],
    accountIds: [1],
    direction,
  }
}

test('GTUBE is always spam, above reject; outbound it is refused', async () => {
  const a = new SpamAnalyzer({ thresholds })
  const v = await a.analyze(input(gtubeMessage()))
  assert.equal(v.action, 'reject')
  assert.ok(v.score >= thresholds.reject)
  assert.equal((await a.analyze(input(gtubeMessage(), 'outbound'))).action, 'refuse')
})

test('a personal message, a newsletter and a receipt with a PDF stay in the inbox', async () => {
  const a = new SpamAnalyzer({ thresholds })
  for (const raw of [personalMessage(), newsletter(), receiptWithPdf()]) {
    const v = await a.analyze(input(raw))
    assert.equal(v.action, 'none', JSON.stringify(v.hits))
    assert.ok(v.score < thresholds.junk)
  }
})

test('strong spam traits add up', async () => {
  const v = await new SpamAnalyzer({ thresholds }).analyze(input(strongSpam()))
  assert.ok(v.score >= thresholds.junk)
  assert.ok(v.hits.some((h) => h.rule === 'URL_ANCHOR_MISMATCH'))
  assert.ok(v.hits.every((h, i) => i === 0 || (v.hits[i - 1]?.score ?? 0) >= h.score))
})

function source(name: SignalSource['name'], hits: SpamHit[], delayMs = 0): SignalSource {
  return {
    name,
    evaluate: () =>
      new Promise((resolve) => {
        setTimeout(() => {
          resolve(hits)
        }, delayMs)
      }),
  }
}

test('signal sources add their hits; a late one is cut off by the budget, a failing one reported', async () => {
  const bayes: SpamHit = {
    rule: 'BAYES_99',
    source: 'bayes',
    score: 4,
    reason: 'p=0.99',
    detail: { p: 0.99 },
  }
  const a = new SpamAnalyzer({
    thresholds,
    signalBudgetMs: 50,
    signals: [
      source('bayes', [bayes]),
      source('dnsbl', [{ rule: 'LATE', source: 'dnsbl', score: 50, reason: 'late' }], 5_000),
      { name: 'reputation', evaluate: () => Promise.reject(new Error('db gone')) },
    ],
  })
  const started = Date.now()
  const v = await a.analyze(input(personalMessage()))
  assert.ok(Date.now() - started < 2_000)
  assert.equal(v.score, 4)
  assert.deepEqual(
    v.sources.map((s) => [s.name, s.status]),
    [
      ['bayes', 'ok'],
      ['dnsbl', 'timeout'],
      ['reputation', 'error'],
    ],
  )
  const text = formatExplanation(v)
  assert.match(text, /Bayesian classifier:\n\s+\+4\.0\s+BAYES_99\s+p=0\.99/)
  assert.match(text, /dnsbl\s+timeout/)
})

test('the observer hears every verdict, and its failure changes nothing', async () => {
  const seen: SpamVerdict[] = []
  const a = new SpamAnalyzer({
    thresholds,
    observer: {
      onVerdict: (_input, v) => {
        seen.push(v)
        throw new Error('observer broke')
      },
    },
  })
  const v = await a.analyze(input(gtubeMessage()))
  assert.equal(seen[0], v)
})

test('X-Spam headers and refusal reasons', async () => {
  const a = new SpamAnalyzer({ thresholds })
  const ham = await a.analyze(input(personalMessage()))
  assert.deepEqual(spamHeaderFields(ham), [
    'X-Spam-Score: 0.0\r\n',
    'X-Spam-Status: No, score=0.0 required=5.0 tests=NONE\r\n',
  ])
  const spam = await a.analyze(input(strongSpam()))
  const [score, status] = spamHeaderFields(spam)
  assert.equal(score, `X-Spam-Score: ${spam.score.toFixed(1)}\r\n`)
  assert.match(status ?? '', /^X-Spam-Status: Yes, score=[\d.]+ required=5\.0 tests=PHRASE_/)
  for (const line of (status ?? '').split('\r\n')) assert.ok(line.length <= 78, line)
  assert.match(topReasons(spam), /^[\x20-\x7e]+$/)
})

test('bounded on any input: random bytes and pathological structures finish quickly', async () => {
  const a = new SpamAnalyzer({ thresholds })
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 4000 }), async (bytes) => {
      const v = await a.analyze(input(Buffer.from(bytes)))
      assert.ok(Number.isFinite(v.score))
    }),
    { numRuns: 200 },
  )
  const nasty = [
    `Subject: x\r\nContent-Type: text/html\r\n\r\n${'<a href="'.repeat(50_000)}`,
    `Subject: x\r\nContent-Type: text/html\r\n\r\n${'<div style="display:none">'.repeat(20_000)}x`,
    `Subject: x\r\n\r\n${'B U Y '.repeat(50_000)}`,
    `Subject: x\r\n\r\n${'http://a'.repeat(50_000)}`,
    `Subject: ${'!'.repeat(100_000)}\r\n\r\n${'a'.repeat(500_000)}`,
  ]
  for (const text of nasty) {
    const started = performance.now()
    await a.analyze(input(Buffer.from(text)))
    assert.ok(performance.now() - started < 1_500, text.slice(0, 40))
  }
})
