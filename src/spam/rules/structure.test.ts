import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildMessage, type SampleOptions } from '../sample-messages.ts'
import { messageFacts } from '../message-facts.ts'
import { structureRules, unicodeTricks } from './structure.ts'

function rules(o: SampleOptions): string[] {
  return structureRules(messageFacts(buildMessage(o))).map((h) => h.rule)
}

const TEXT = 'Hi Bob, the meeting moved to Thursday at ten. Bring the slides. Alice'

test('a normal message fires no structure rule', () => {
  assert.deepEqual(rules({ text: TEXT }), [])
  assert.deepEqual(rules({ text: TEXT, html: `<p>${TEXT}</p>` }), [])
})

test('HTML only', () => {
  assert.ok(rules({ html: `<p>${TEXT}</p>` }).includes('HTML_ONLY'))
})

test('hidden text: display:none, font-size:0, white on white, same colour as background', () => {
  const hidden = 'lots of innocent words to fool a statistical filter'
  for (const html of [
    `<p>${TEXT}</p><div style="display:none">${hidden}</div>`,
    `<p>${TEXT}</p><span style="font-size:0px">${hidden}</span>`,
    `<p>${TEXT}</p><font color="#ffffff">${hidden}</font>`,
    `<table bgcolor="#123456"><tr><td><span style="color:#123456">${hidden}</span></td></tr></table>`,
    `<p>${TEXT}</p><div style="visibility: hidden"><b>${hidden}</b></div>`,
  ]) {
    assert.ok(rules({ text: TEXT, html }).includes('HTML_HIDDEN_TEXT'), html)
  }
  // White text on a dark cell is visible.
  const visible = `<table><tr><td bgcolor="#000000"><font color="#ffffff">${hidden}</font></td></tr></table>`
  assert.equal(rules({ text: TEXT, html: visible }).includes('HTML_HIDDEN_TEXT'), false)
  // A hidden preheader shorter than the threshold is common in newsletters.
  const preheader = `<div style="display:none">Your weekly news</div><p>${TEXT}</p>`
  assert.equal(rules({ text: TEXT, html: preheader }).includes('HTML_HIDDEN_TEXT'), false)
})

test('missing Date and Message-ID', () => {
  const r = rules({ text: TEXT, noDate: true, noMessageId: true })
  assert.ok(r.includes('MISSING_DATE'))
  assert.ok(r.includes('MISSING_MESSAGE_ID'))
})

test('malformed headers: a line that is no field, a repeated From, a From without address', () => {
  assert.ok(rules({ text: TEXT, headers: ['this is not a header'] }).includes('MALFORMED_HEADER'))
  assert.ok(rules({ text: TEXT, headers: ['Subject: again'] }).includes('MALFORMED_HEADER'))
  assert.ok(rules({ text: TEXT, from: 'Nobody' }).includes('MALFORMED_HEADER'))
})

test('display names showing another address or a brand', () => {
  assert.ok(
    rules({ text: TEXT, from: '"support@bank.com" <x@evil.test>' }).includes(
      'FROM_DISPLAY_ADDRESS',
    ),
  )
  assert.ok(rules({ text: TEXT, from: 'PayPal <x@evil.test>' }).includes('FROM_BRAND_MISMATCH'))
  assert.ok(
    rules({ text: TEXT, from: '=?utf-8?q?PayPal_Service?= <x@evil.test>' }).includes(
      'FROM_BRAND_MISMATCH',
    ),
  )
  assert.deepEqual(rules({ text: TEXT, from: 'PayPal <service@paypal.com>' }), [])
  assert.deepEqual(rules({ text: TEXT, from: 'PayPal <service@mail.paypal.de>' }), [])
  assert.deepEqual(rules({ text: TEXT, from: '"bob@example.org" <bob@example.org>' }), [])
  assert.deepEqual(rules({ text: TEXT, from: 'Chasey Lain <chasey@example.org>' }), [])
})

test('subjects: capitals, punctuation, Unicode tricks', () => {
  assert.ok(
    rules({ text: TEXT, subject: 'AMAZING OFFER FOR YOU TODAY' }).includes('SUBJECT_ALL_CAPS'),
  )
  assert.ok(rules({ text: TEXT, subject: 'Act fast!!! $$$' }).includes('SUBJECT_PUNCTUATION'))
  assert.ok(
    rules({
      text: TEXT,
      subject: '=?utf-8?b?' + Buffer.from('Fr\u200bee gift').toString('base64') + '?=',
    }).includes('SUBJECT_UNICODE_TRICKS'),
  )
  assert.deepEqual(rules({ text: TEXT, subject: 'Re: NASA and ESA budget' }), [])
  assert.deepEqual(rules({ text: TEXT, subject: 'Quick question?' }), [])
})

test('Unicode tricks: mixed scripts, direction overrides, styled letters; real text is fine', () => {
  assert.match(unicodeTricks('P\u0430yPal account') ?? '', /look-alike/)
  assert.match(unicodeTricks('abc \u202e fdp.exe') ?? '', /direction/)
  assert.match(unicodeTricks('\u{1d405}\u{1d411}\u{1d404}\u{1d404}') ?? '', /styled/)
  assert.equal(unicodeTricks('Привет, как дела? Grüße aus München. Καλημέρα'), undefined)
})

test('many exclamation marks', () => {
  assert.ok(rules({ text: `${TEXT} Wow!!! Really!!! Yes!!!` }).includes('EXCESSIVE_EXCLAMATION'))
  assert.equal(rules({ text: `${TEXT} Great!` }).includes('EXCESSIVE_EXCLAMATION'), false)
})

test('a malformed Message-ID and a Reply-To diverted to free mail', () => {
  assert.ok(
    rules({ text: TEXT, headers: ['Reply-To: agent <agent2026@gmail.com>'] }).includes(
      'REPLYTO_FREEMAIL',
    ),
  )
  assert.deepEqual(
    rules({ text: TEXT, from: 'a@gmail.com', headers: ['Reply-To: b@gmail.com'] }),
    [],
  )
  assert.deepEqual(rules({ text: TEXT, headers: ['Reply-To: list@example.org'] }), [])
})

test('a Message-ID without angle brackets or @ is malformed', () => {
  assert.ok(
    rules({ text: TEXT, noMessageId: true, headers: ['Message-ID: 12345'] }).includes(
      'MALFORMED_MESSAGE_ID',
    ),
  )
})

test('a leading mbox "From " separator line is not a malformed header', () => {
  const raw = Buffer.concat([
    Buffer.from('From alice@example.org  Thu Aug 22 12:36:23 2002\r\n'),
    buildMessage({ text: TEXT }),
  ])
  assert.deepEqual(structureRules(messageFacts(raw)), [])
})

test('image-only HTML, shouting text and subjects, a forged Outlook', () => {
  const img =
    '<p><a href="https://shop.example/"><img src="https://shop.example/offer.png"></a></p>'
  assert.ok(rules({ html: img }).includes('HTML_IMAGE_ONLY'))
  assert.equal(
    rules({ text: TEXT, html: `<p>${TEXT} ${TEXT}</p>${img}` }).includes('HTML_IMAGE_ONLY'),
    false,
  )
  const shout = 'THIS IS THE BEST OFFER YOU WILL EVER SEE IN YOUR LIFE. '.repeat(6)
  assert.ok(rules({ text: shout }).includes('BODY_SHOUTING'))
  assert.equal(
    rules({ text: `${TEXT} NASA, ESA and the UN met in NYC.` }).includes('BODY_SHOUTING'),
    false,
  )
  assert.ok(
    rules({ text: TEXT, subject: 'Your FREE GIFT is waiting' }).includes('SUBJECT_SHOUTING_WORDS'),
  )
  assert.equal(
    rules({ text: TEXT, subject: 'Notes from the IETF meeting' }).includes(
      'SUBJECT_SHOUTING_WORDS',
    ),
    false,
  )
  const outlook = ['X-Mailer: Microsoft Outlook, Build 10.0.2627']
  assert.ok(rules({ html: `<p>${TEXT}</p>`, headers: outlook }).includes('FORGED_OUTLOOK_HTML'))
  assert.equal(
    rules({ text: TEXT, html: `<p>${TEXT}</p>`, headers: outlook }).includes('FORGED_OUTLOOK_HTML'),
    false,
  )
})
