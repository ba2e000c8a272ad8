import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildMessage } from '../sample-messages.ts'
import { messageFacts } from '../message-facts.ts'
import { phraseRules } from './phrases.ts'

function fired(text: string, subject = 'Hello'): Map<string, number> {
  const hits = phraseRules(messageFacts(buildMessage({ subject, text })))
  return new Map(hits.map((h) => [h.rule, h.score]))
}

test('plain spam phrases fire by category, case-insensitively', () => {
  const hits = fired('BUY NOW! ONLY TODAY! You have WON a prize, claim your prize.')
  assert.equal(hits.get('PHRASE_URGENCY'), 1.2)
  assert.ok((hits.get('PHRASE_PRIZE') ?? 0) >= 3)
  assert.equal(hits.has('PHRASE_OBFUSCATED'), false)
})

test('the subject is read too', () => {
  assert.ok(fired('see inside', 'You have won the lottery').has('PHRASE_PRIZE'))
})

test('obfuscations match and are flagged: leetspeak, spacing, punctuation, zero-width, confusables', () => {
  for (const text of [
    'cheap v1agra here',
    'B U Y   N O W',
    'c.l.i.c.k h.e.r.e',
    'fr\u200bee mon\u200bey',
    'Cl\u0456ck here', // Cyrillic i
    '\uff56\uff49\uff41\uff47\uff52\uff41', // fullwidth
  ]) {
    const hits = fired(text)
    assert.ok(hits.has('PHRASE_OBFUSCATED'), text)
  }
})

test('diacritics do not hide phrases, and are not obfuscation in their own language', () => {
  const fr = fired('Félicitations, vous avez gagné un iPhone')
  assert.ok(fr.has('PHRASE_PRIZE'))
  assert.equal(fr.has('PHRASE_OBFUSCATED'), false)
})

test('German, French and Spanish lists are loaded', () => {
  assert.ok(fired('Sie haben gewonnen! Jetzt kaufen.').has('PHRASE_PRIZE'))
  assert.ok(fired('Votre compte a été suspendu, vérifiez votre compte').has('PHRASE_PHISHING'))
  assert.ok(fired('Préstamo rápido sin aval, solo hoy').has('PHRASE_LOAN'))
})

test('category scores are capped', () => {
  const hits = fired('viagra cialis levitra xanax valium tramadol phentermine oxycodone')
  assert.equal(hits.get('PHRASE_PHARMA'), 4.5)
})

test('ordinary text fires nothing; phrases match on word boundaries only', () => {
  assert.equal(fired('Please contact nowhere near the station; I bought nowt.').size, 0)
  assert.equal(fired('Thanks for the meeting notes, see you on Monday.').size, 0)
  assert.equal(fired('My address is in the attached file.').size, 0)
})

test('a security warning names phishing phrases without being one: they count half', () => {
  const phish = fired('Please verify your account and confirm your password today.')
  const warning = fired(
    'We will never ask you to verify your account or confirm your password by email.',
  )
  assert.equal(warning.get('PHRASE_PHISHING'), (phish.get('PHRASE_PHISHING') ?? 0) / 2)
})

test('inline tags and comments do not split words: "V<!-- -->iagra" is read', () => {
  const hits = phraseRules(
    messageFacts(buildMessage({ html: '<p>Cheap V<!-- x -->iagra and C<b>i</b>alis here</p>' })),
  )
  assert.ok(hits.some((h) => h.rule === 'PHRASE_PHARMA'))
})

test('sextortion wording and the impersonal greetings of mass mail', () => {
  assert.ok(
    fired('I recorded you through your webcam. Send the video to all your contacts?').has(
      'PHRASE_EXTORTION',
    ),
  )
  assert.ok(fired('Dear Customer, your parcel is waiting.', 'Parcel').has('PHRASE_GREETING'))
  assert.equal(fired('Dear Anna, your parcel is waiting.', 'Parcel').has('PHRASE_GREETING'), false)
})

test('wording in a post to a discussion list counts half', () => {
  const text = 'This one got through today: viagra, from a shop I never heard of.'
  const direct = phraseRules(messageFacts(buildMessage({ subject: 'spam', text })))
  const list = phraseRules(
    messageFacts(buildMessage({ subject: 'spam', text, headers: ['List-Id: <satalk.example>'] })),
  )
  const score = (hits: typeof direct) => hits.find((h) => h.rule === 'PHRASE_PHARMA')?.score ?? 0
  assert.equal(score(list), score(direct) / 2)
})
