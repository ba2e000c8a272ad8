// Robinson's token probability, Fisher's chi-square combining and its survival function.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chi2Q, combine, selectClues, tokenProbability } from './combine.ts'

void test('chi2Q matches known values for even degrees of freedom', () => {
  assert.equal(chi2Q(0, 2), 1)
  assert.ok(Math.abs(chi2Q(2, 2) - Math.exp(-1)) < 1e-12)
  // Q(x2 = 4, v = 4) = e^-2 (1 + 2)
  assert.ok(Math.abs(chi2Q(4, 4) - 3 * Math.exp(-2)) < 1e-12)
  assert.equal(chi2Q(10_000, 300), 0) // far in the tail: no NaN
})

void test('an unknown token is 0.5; evidence pulls it towards its class', () => {
  const totals = { spam: 100, ham: 100 }
  assert.equal(tokenProbability({ spam: 0, ham: 0 }, totals), 0.5)
  assert.ok(tokenProbability({ spam: 50, ham: 0 }, totals) > 0.95)
  assert.ok(tokenProbability({ spam: 0, ham: 50 }, totals) < 0.05)
  // One sighting is weak evidence (Robinson's s = 1).
  assert.equal(tokenProbability({ spam: 1, ham: 0 }, totals), 0.75)
})

void test('combining: spammy clues near 1, hammy near 0, none 0.5', () => {
  const spammy = Array.from({ length: 10 }, (_, i) => ({
    token: `s${String(i)}`,
    probability: 0.99,
  }))
  const hammy = spammy.map((c) => ({ ...c, probability: 0.01 }))
  assert.ok(combine(spammy) > 0.99)
  assert.ok(combine(hammy) < 0.01)
  assert.equal(combine([]), 0.5)
  assert.ok(Math.abs(combine([...spammy, ...hammy]) - 0.5) < 0.01)
})

void test('only significant clues count, most significant first', () => {
  const counts = new Map([
    ['strong', { spam: 40, ham: 0 }],
    ['weak', { spam: 11, ham: 10 }],
    ['hammy', { spam: 0, ham: 10 }],
  ])
  const clues = selectClues(['weak', 'hammy', 'strong', 'unknown'], counts, { spam: 50, ham: 50 })
  assert.deepEqual(
    clues.map((c) => c.token),
    ['strong', 'hammy'],
  )
})
