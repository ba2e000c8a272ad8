import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { AuthOutcome } from '../../email-auth/outcome.ts'
import { buildMessage, gtubeMessage, personalMessage } from '../sample-messages.ts'
import { messageFacts } from '../message-facts.ts'
import { authRules } from './auth.ts'
import { GTUBE, gtubeRules } from './gtube.ts'

test('GTUBE fires in plain text, base64 text and HTML; not otherwise', () => {
  assert.equal(gtubeRules(messageFacts(gtubeMessage()))[0]?.rule, 'GTUBE')
  const html = buildMessage({ html: `<p>${GTUBE}</p>` })
  assert.equal(gtubeRules(messageFacts(html)).length, 1)
  assert.equal(gtubeRules(messageFacts(personalMessage())).length, 0)
})

function auth(over: Partial<AuthOutcome>): AuthOutcome {
  return {
    spf: { result: 'pass', domain: 'example.org' },
    dkim: [{ result: 'pass', domain: 'example.org', selector: 's', aligned: true }],
    dmarc: { result: 'pass', domain: 'example.org', policy: 'reject', disposition: 'none' },
    arc: { result: 'none' },
    header: 'mx.test; spf=pass',
    ...over,
  }
}

test('auth results: DMARC fail, SPF fail, no DKIM are small positive signals', () => {
  const bad = authRules(
    auth({
      spf: { result: 'fail', domain: 'example.org' },
      dkim: [],
      dmarc: { result: 'fail', domain: 'example.org', policy: 'none', disposition: 'none' },
    }),
  )
  assert.deepEqual(bad.map((h) => h.rule).sort(), [
    'AUTH_DMARC_FAIL',
    'AUTH_NO_DKIM',
    'AUTH_SPF_FAIL',
  ])
  assert.ok(bad.every((h) => h.source === 'auth' && h.score > 0 && h.score <= 2))
  const good = authRules(auth({}))
  assert.deepEqual(
    good.map((h) => h.rule),
    ['AUTH_DMARC_PASS'],
  )
  assert.ok((good[0]?.score ?? 0) < 0)
  assert.deepEqual(authRules(undefined), [])
})
