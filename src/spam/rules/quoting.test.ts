import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildMessage } from '../sample-messages.ts'
import { messageFacts } from '../message-facts.ts'
import { phraseRules } from './phrases.ts'
import { splitQuoted } from './quoting.ts'

const SPAM = 'Your account has been suspended due to unusual activity. Verify your account now.'

test("a reply keeps the author's words apart from the quoted and forwarded text", () => {
  const reply = messageFacts(
    buildMessage({
      subject: 'Re: dinner',
      headers: ['In-Reply-To: <x@example.org>'],
      text: 'Saturday works.\n\n> Would you like to come over?\n> David\n',
    }),
  )
  const split = splitQuoted(reply)
  assert.match(split.own, /Saturday works/)
  assert.doesNotMatch(split.own, /come over/)
  assert.match(split.quoted, /come over/)
  const forward = messageFacts(
    buildMessage({
      subject: 'Fwd: is this real?',
      text: `Is this real?\n\n---------- Forwarded message ---------\n${SPAM}\n`,
    }),
  )
  assert.match(splitQuoted(forward).quoted, /suspended/)
  // Not a reply or forward: everything is the author's, quote marks or not.
  const plain = messageFacts(buildMessage({ subject: 'Hello', text: `> ${SPAM}` }))
  assert.equal(splitQuoted(plain).quoted, '')
})

test('phrases found only in a forwarded spam count half', () => {
  const score = (subject: string, text: string): number =>
    phraseRules(messageFacts(buildMessage({ subject, text })))
      .filter((h) => h.rule === 'PHRASE_PHISHING')
      .reduce((s, h) => s + h.score, 0)
  const sent = score('Notice', SPAM)
  const forwarded = score(
    'Fwd: notice',
    `Is this a phish?\n\n---------- Forwarded message ---------\n${SPAM}\n`,
  )
  assert.ok(sent > 0)
  assert.equal(forwarded, sent / 2)
})
