import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildMessage } from '../sample-messages.ts'
import { runContentRules } from './index.ts'
import { STYLE_CAP, styleCap } from './style-cap.ts'
import { ruleHit } from './types.ts'

const score = (hits: { score: number }[]): number => hits.reduce((s, h) => s + h.score, 0)

test('presentation traits alone are capped below the junk threshold', () => {
  const hits = [
    ruleHit('MISSING_DATE', 1.0, 'x'),
    ruleHit('MISSING_MESSAGE_ID', 1.0, 'x'),
    ruleHit('MALFORMED_HEADER', 1.5, 'x'),
    ruleHit('HTML_ONLY', 0.7, 'x'),
    ruleHit('PHRASE_MARKETING', 1.5, 'x'),
  ]
  const cap = styleCap(hits)
  assert.ok(cap !== undefined)
  assert.equal(cap.rule, 'STYLE_ONLY_CAP')
  assert.equal(Math.round(score([...hits, cap]) * 100) / 100, STYLE_CAP)
  // Below the cap nothing is added.
  assert.equal(styleCap(hits.slice(0, 2)), undefined)
})

test('one sign of deception or harm lifts the cap', () => {
  const hits = [
    ruleHit('MISSING_DATE', 1.0, 'x'),
    ruleHit('HTML_ONLY', 0.7, 'x'),
    ruleHit('PHRASE_MARKETING', 1.5, 'x'),
    ruleHit('PHRASE_URGENCY', 1.8, 'x'),
    ruleHit('URL_ANCHOR_MISMATCH', 3.0, 'x'),
  ]
  assert.equal(styleCap(hits), undefined)
})

test('a shouting sales letter with no harmful trait stays under the cap end to end', () => {
  const raw = buildMessage({
    subject: 'ACT NOW!!! LIMITED TIME OFFER!!!',
    noDate: true,
    noMessageId: true,
    html: '<p>ORDER NOW!!! BUY NOW!!! ACT NOW!!! LIMITED TIME!!! CLICK HERE!!! BEST PRICE!!! To be removed reply REMOVE.</p>',
  })
  const { hits } = runContentRules(raw)
  assert.ok(hits.some((h) => h.rule === 'STYLE_ONLY_CAP'))
  assert.ok(score(hits) <= STYLE_CAP + 1e-9)
})
