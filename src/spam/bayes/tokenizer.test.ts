// The tokenizer: prefixed header words, decoded bodies, URL hosts (hidden behind anchor text
// too), long-word skip tokens, and the bound on tokens per message.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MAX_TOKENS, tokenize, urlDomains } from './tokenizer.ts'

function message(head: string[], body: string): Buffer {
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`)
}

void test('header words carry their field; sender domains become tokens', () => {
  const tokens = tokenize(
    message(
      [
        'From: Prize Team <win@lucky.example>',
        'Subject: =?UTF-8?B?RnJlZSBNb25leQ==?=',
        'X-Other: hidden',
      ],
      'plain words here\r\n',
    ),
  )
  assert.ok(tokens.includes('subject:free'))
  assert.ok(tokens.includes('subject:money'))
  assert.ok(tokens.includes('from:prize'))
  assert.ok(tokens.includes('from-domain:lucky.example'))
  assert.ok(tokens.includes('plain'))
  assert.ok(!tokens.some((t) => t.includes('hidden')))
})

void test('bodies are decoded; HTML hrefs and text URLs give host tokens', () => {
  const html = '<p>Cheap <b>watches</b></p><a href="https://shop.deals.example/x">click</a>'
  const raw = message(
    ['Content-Type: text/html', 'Content-Transfer-Encoding: base64'],
    Buffer.from(html).toString('base64'),
  )
  const tokens = tokenize(raw)
  assert.ok(tokens.includes('cheap'))
  assert.ok(tokens.includes('watches'))
  assert.ok(tokens.includes('url:shop.deals.example'))
  assert.ok(tokens.includes('url:deals.example'))
  assert.ok(!tokens.includes('<p>'))
  // Blocklists list registered domains: the host and its last two labels are both asked.
  assert.deepEqual(urlDomains(raw, 10), ['shop.deals.example', 'deals.example'])
})

void test('short words are dropped, long ones become skip tokens', () => {
  const tokens = tokenize(message(['Subject: x'], `an ok ${'z'.repeat(43)} word\r\n`))
  assert.ok(!tokens.includes('an'))
  assert.ok(tokens.includes('skip:z40'))
  assert.ok(tokens.includes('word'))
})

void test('at most MAX_TOKENS tokens, whatever the size', () => {
  const words = Array.from({ length: 20_000 }, (_, i) => `w${String(i)}x`).join(' ')
  const tokens = tokenize(message(['Subject: big'], words))
  assert.ok(tokens.length <= MAX_TOKENS)
  assert.ok(tokens.length > MAX_TOKENS / 2)
})

void test('never throws on malformed input', () => {
  for (const raw of [Buffer.alloc(0), Buffer.from('\r\n\r\n'), Buffer.from([0xff, 0xfe, 0x00])]) {
    assert.ok(Array.isArray(tokenize(raw)))
  }
})
