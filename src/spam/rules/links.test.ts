import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildMessage } from '../sample-messages.ts'
import { messageFacts } from '../message-facts.ts'
import { linkRules, registrableDomain } from './links.ts'

const WORDS =
  'This is a perfectly ordinary paragraph of text with enough words in it to read. '.repeat(4)

function rules(html: string, text?: string): string[] {
  const facts = messageFacts(buildMessage({ html, ...(text === undefined ? {} : { text }) }))
  return linkRules(facts).map((h) => h.rule)
}

test('registrable domains', () => {
  assert.equal(registrableDomain('www.paypal.com'), 'paypal.com')
  assert.equal(registrableDomain('a.b.example.co.uk'), 'example.co.uk')
  assert.equal(registrableDomain('example.org'), 'example.org')
})

test('IP-literal URLs fire; host names do not', () => {
  assert.ok(
    rules(`<p>${WORDS}<a href="http://198.51.100.4/login">log in</a></p>`).includes(
      'URL_IP_LITERAL',
    ),
  )
  assert.ok(rules(`<p>${WORDS}</p>`, `${WORDS} http://[2001:db8::1]/x`).includes('URL_IP_LITERAL'))
  assert.deepEqual(rules(`<p>${WORDS}<a href="https://example.org/login">log in</a></p>`), [])
})

test('URL shorteners fire', () => {
  assert.ok(rules(`<p>${WORDS}<a href="https://bit.ly/3xYz">see</a></p>`).includes('URL_SHORTENER'))
})

test('anchor text showing another domain fires; the same site does not', () => {
  const lying = `<p>${WORDS}<a href="http://evil.example/paypal">https://www.paypal.com/signin</a></p>`
  assert.ok(rules(lying).includes('URL_ANCHOR_MISMATCH'))
  const honest = `<p>${WORDS}<a href="https://click.news.example.org/r?u=1">www.example.org</a></p>`
  assert.equal(rules(honest).includes('URL_ANCHOR_MISMATCH'), false)
  const words = `<p>${WORDS}<a href="https://example.org/a">Read the full story</a></p>`
  assert.equal(rules(words).includes('URL_ANCHOR_MISMATCH'), false)
})

test('data: and javascript: links fire', () => {
  assert.ok(
    rules(`<p>${WORDS}<a href="javascript:alert(1)">x</a></p>`).includes('URL_DATA_OR_SCRIPT'),
  )
  assert.ok(
    rules(`<p>${WORDS}<a href="data:text/html;base64,AAAA">x</a></p>`).includes(
      'URL_DATA_OR_SCRIPT',
    ),
  )
})

test('user-info URLs fire', () => {
  assert.ok(
    rules(`<p>${WORDS}<a href="http://www.bank.com@evil.example/">bank</a></p>`).includes(
      'URL_USERINFO',
    ),
  )
})

test('mostly links and little text fires; a text with one link does not', () => {
  const links = Array.from(
    { length: 5 },
    (_, i) => `<a href="https://shop${i}.example/">x</a>`,
  ).join(' ')
  assert.ok(rules(`<p>Deals ${links}</p>`).includes('URL_HIGH_RATIO'))
  assert.equal(
    rules(`<p>${WORDS}<a href="https://example.org/">x</a></p>`).includes('URL_HIGH_RATIO'),
    false,
  )
})

test('links to many different domains', () => {
  const many = Array.from(
    { length: 16 },
    (_, i) => `<a href="https://site${i}.example/">site ${i}</a>`,
  ).join(' ')
  assert.ok(rules(`<p>${WORDS.repeat(5)}${many}</p>`).includes('URL_MANY_DOMAINS'))
  const one = Array.from(
    { length: 16 },
    (_, i) => `<a href="https://news.example.org/${i}">story ${i}</a>`,
  ).join(' ')
  assert.equal(rules(`<p>${WORDS.repeat(5)}${one}</p>`).includes('URL_MANY_DOMAINS'), false)
})

test('URL_ENCODED_HOST: a host spelled in %-escapes', () => {
  const hits = linkRules(
    messageFacts(
      buildMessage({
        html: '<p>Hi there, see <a href="http://%77%77%77.example.net/x">this</a></p>',
      }),
    ),
  ).map((h) => h.rule)
  assert.ok(hits.includes('URL_ENCODED_HOST'))
  const plain = linkRules(
    messageFacts(buildMessage({ text: 'See https://www.example.net/a%20b?q=%41 for details.' })),
  ).map((h) => h.rule)
  assert.equal(plain.includes('URL_ENCODED_HOST'), false)
})
