import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildMessage, newsletter, type SampleOptions } from '../sample-messages.ts'
import { messageFacts } from '../message-facts.ts'
import { bulkRules } from './bulk.ts'

function rules(o: SampleOptions): string[] {
  return bulkRules(messageFacts(buildMessage(o))).map((h) => h.rule)
}

const TEXT = 'Hi Bob, the meeting moved to Thursday at ten. Bring the slides and the budget. Alice'

test('a personal message and a newsletter with list fields fire no bulk rule', () => {
  assert.deepEqual(rules({ text: TEXT }), [])
  assert.deepEqual(
    bulkRules(messageFacts(newsletter())).map((h) => h.rule),
    [],
  )
})

test('BULK_NO_LIST_HEADERS: opt-out wording without List-Unsubscribe or List-Id', () => {
  const ad = `${TEXT}\n\nTo be removed from our list reply with REMOVE in the subject.`
  assert.ok(rules({ text: ad }).includes('BULK_NO_LIST_HEADERS'))
  assert.deepEqual(rules({ text: ad, headers: ['List-Unsubscribe: <mailto:u@example.org>'] }), [])
  assert.deepEqual(rules({ text: ad, headers: ['Precedence: bulk'] }), [])
})

test('SUBJECT_RE_NOT_REPLY', () => {
  assert.ok(rules({ subject: 'Re: your order', text: TEXT }).includes('SUBJECT_RE_NOT_REPLY'))
  assert.deepEqual(
    rules({ subject: 'Re: your order', text: TEXT, headers: ['In-Reply-To: <a@example.org>'] }),
    [],
  )
})

test('FROM_IS_TO and MANY_RECIPIENTS', () => {
  assert.ok(
    rules({ from: 'you@example.com', to: 'you@example.com', text: TEXT }).includes('FROM_IS_TO'),
  )
  const many = Array.from({ length: 16 }, (_, i) => `user${i}@example.net`).join(', ')
  assert.ok(rules({ to: many, text: TEXT }).includes('MANY_RECIPIENTS'))
  assert.deepEqual(rules({ to: 'a@example.net, b@example.net', text: TEXT }), [])
})

test('SHORT_WITH_LINK, URL_ABUSED_HOSTING and SUSPICIOUS_TLD', () => {
  const short = rules({ subject: 'look', text: 'look at this http://promo.example.top/x' })
  assert.ok(short.includes('SHORT_WITH_LINK'))
  assert.ok(short.includes('SUSPICIOUS_TLD'))
  assert.ok(
    rules({ text: `${TEXT} Form: https://secure-docs.weebly.com/view` }).includes(
      'URL_ABUSED_HOSTING',
    ),
  )
  assert.deepEqual(rules({ text: `${TEXT} Agenda: https://wiki.example.org/meeting` }), [])
})

test('HTML_IMAGE_LINK_NO_TEXT and SUBJECT_MONEY', () => {
  const image = rules({
    subject: 'Make $50,000 in 90 days',
    html: '<a href="http://spam.example/go"><img src="http://spam.example/offer.jpg"></a>',
  })
  assert.ok(image.includes('HTML_IMAGE_LINK_NO_TEXT'))
  assert.ok(image.includes('SUBJECT_MONEY'))
  const newsletterImage = rules({
    subject: 'Spring collection',
    html: `<img src="https://img.example.com/hero.jpg"><p>${TEXT}</p><a href="https://shop.example.com">Shop</a>`,
  })
  assert.deepEqual(newsletterImage, [])
})

test('BODY_CAPS_LINES and SUBJECT_FREE', () => {
  const ad = rules({
    subject: 'Get FREE cable',
    text: 'GET ALL THE PREMIUM CHANNELS FOR FREE!!!\nOUR FILTER IS 100% LEGAL AND EASY\nORDER NOW AND SAVE BIG TODAY\n',
  })
  assert.ok(ad.includes('BODY_CAPS_LINES'))
  assert.ok(ad.includes('SUBJECT_FREE'))
  // Calendar data and a single heading are not shouting.
  assert.deepEqual(
    rules({
      subject: 'Free shipping this week',
      text: 'BEGIN:VCALENDAR\nMETHOD:REQUEST\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nQUARTERLY REPORT SUMMARY\nAll went well.',
    }),
    [],
  )
})

test('a post to a discussion list may be a link with a line of comment, or SQL in capitals', () => {
  const list = ['List-Id: <fork.xent.example>', 'List-Post: <mailto:fork@xent.example>']
  assert.deepEqual(
    rules({ subject: 'cool', text: 'heh http://promo.example.top/x', headers: list }),
    ['SUSPICIOUS_TLD'],
  )
  const sql =
    'SELECT CUSTOMER_ID, SUM(TOTAL) FROM ORDERS\nWHERE CREATED_AT > NOW() - 30\nGROUP BY CUSTOMER ID ORDER BY TWO\nWHY IS THIS SLOW FOR ME'
  assert.deepEqual(rules({ subject: 'slow query', text: sql }), [])
})
