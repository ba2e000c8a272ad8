import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildMessage, type SampleOptions } from '../sample-messages.ts'
import { messageFacts } from '../message-facts.ts'
import { largestAmount, scamRules } from './scams.ts'

function rules(o: SampleOptions): string[] {
  return scamRules(messageFacts(buildMessage(o))).map((h) => h.rule)
}

test('amounts in the usual notations', () => {
  assert.equal(largestAmount('the sum of US$28,500,000.00 (Twenty Eight Million)'), 28_500_000)
  assert.equal(largestAmount('USD 10.5M left by a customer'), 10_500_000)
  assert.equal(largestAmount('a deposit of €8.5 million'), 8_500_000)
  assert.equal(largestAmount('un depósito de 5.300.000 USD'), 5_300_000)
  assert.equal(largestAmount('4.8 million dollars'), 4_800_000)
  assert.equal(largestAmount('Total: $23.47, tip $2.22'), 23.47)
  assert.equal(largestAmount('no money here, 2025 was a year'), 0)
})

test('SCAM_LARGE_SUM: a large sum moved to the reader in a fraud setting', () => {
  const fires = rules({
    subject: 'Confidential',
    text: 'I am a barrister. My deceased client left US$12,000,000. I want to present you as next of kin so the funds can be transferred to you. You receive 30%.',
  })
  assert.ok(fires.includes('MONEY_LARGE_SUM'))
  assert.ok(fires.includes('SCAM_LARGE_SUM'))
  // People talking about such a mail move no money: only the sum is noted.
  const talk = rules({
    subject: 'ha - look what Dad got',
    text: 'Dad got one of those emails: a barrister wants to make him next of kin to a $10.5 million inheritance. I told him to delete it.',
  })
  assert.deepEqual(talk, ['MONEY_LARGE_SUM'])
  // A receipt is no large sum at all.
  assert.deepEqual(rules({ text: 'Your order: 2 books, total £29.93. Thank you!' }), [])
})

test('BITCOIN_ADDRESS and BITCOIN_EXTORTION', () => {
  const extortion = rules({
    text: 'I recorded you with your webcam while you watched porn. Pay 1200 USD to bc1q9h7garjdxc8hk5m3zy3g8fz4q2n3v5a7u6tz0p within 48 hours or I send the video to your contacts.',
  })
  assert.ok(extortion.includes('BITCOIN_ADDRESS'))
  assert.ok(extortion.includes('BITCOIN_EXTORTION'))
  const donation = rules({
    text: 'Thanks for reading. Donations: 1GjZSJnpU4AfTS8vmre6rx7eQgeMUq8VYr',
  })
  assert.deepEqual(donation, ['BITCOIN_ADDRESS'])
  // Long identifiers inside URLs and tracking numbers are not addresses.
  assert.deepEqual(
    rules({
      text: 'Track: https://t.example/3FZbgi29cpjq2GjdwV8eyHuJJnkLtktZc5x and 1Z999AA10123456784',
    }),
    [],
  )
  // Discussing the scam without an address.
  assert.deepEqual(
    rules({ text: 'The sextortion mails claim they recorded you with your webcam; ignore them.' }),
    [],
  )
})

test('STOCK_PUMP: a ticker at a penny price with a target', () => {
  assert.ok(
    rules({
      text: 'Symbol: GRXT\nCurrent Price: $0.08\n5 Day Target: $0.65\nGet in before Monday!',
    }).includes('STOCK_PUMP'),
  )
  assert.deepEqual(
    rules({ text: 'The stock closed at $182.40 after analysts raised their target to $210.' }),
    [],
  )
})

test('STOCK_PUMP spares market news from a list the reader subscribed to', () => {
  assert.deepEqual(
    rules({
      headers: ['List-Unsubscribe: <https://news.example.com/u>'],
      text: 'Shares of penny miner Orex traded at $0.42 after the company raised its target.',
    }),
    [],
  )
})
