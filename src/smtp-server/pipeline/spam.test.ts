import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  SmtpTranscript,
  mailboxContents,
  startTestServer,
  type TestServer,
} from '../../../test/harness/smtp-transcript.ts'
import { SpamAnalyzer } from '../../spam/analyze.ts'
import { GTUBE } from '../../spam/rules/gtube.ts'
import type { SignalInput } from '../../spam/signal.ts'
import type { SpamVerdict } from '../../spam/verdict.ts'

const ALICE = 'alice@example.test'
const PASSWORD = 'correct horse'
const thresholds = { junk: 5, reject: 12, preflight: 8 }

function message(subject: string, body: string, from = ALICE): string {
  return [
    `From: <${from}>`,
    'To: <bob@example.test>',
    `Subject: ${subject}`,
    `Message-ID: <${subject.length}.${Date.now()}@example.test>`,
    'Date: Fri, 27 Nov 2026 10:00:00 +0000',
    '',
    body,
  ].join('\r\n')
}

const JUNK = message(
  'YOU ARE A WINNER!!!',
  'Congratulations, you have won the lottery. Claim your prize today: https://bit.ly/x',
  'lottery@prize.test',
)

async function send(s: SmtpTranscript, from: string, msg: string, code: number, text?: RegExp) {
  await s.transact(250, `MAIL FROM:<${from}>`)
  await s.transact(250, 'RCPT TO:<bob@example.test>')
  await s.transact(354, 'DATA')
  return s.transact(code, `${msg}\r\n.`, text)
}

test('mx: X-Spam headers always, Junk at the junk threshold, 550 5.7.1 at reject', async (t) => {
  const seen: { input: SignalInput; verdict: SpamVerdict }[] = []
  const analyzer = new SpamAnalyzer({
    thresholds,
    observer: { onVerdict: (input, verdict) => void seen.push({ input, verdict }) },
  })
  const srv: TestServer = await startTestServer({ spam: { analyzer, preflight: true } })
  t.after(() => srv.close())
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO client.example')
  await send(s, 'a@client.example', message('Lunch', 'See you at noon.'), 250)
  const junk = await send(s, 'lottery@prize.test', JUNK, 250)
  const refused = await send(s, 'x@client.example', message('test', GTUBE), 550)
  assert.match(refused.text, /5\.7\.1 Message refused as spam \(score 1000\.0, id \S+\): GTUBE/)
  await s.transact(221, 'QUIT')

  const inbox = await mailboxContents(srv.store, 'bob@example.test')
  assert.equal(inbox.length, 1)
  assert.match(
    inbox[0]?.body ?? '',
    /^Received: [^]*\r\nX-Spam-Score: 0\.0\r\nX-Spam-Status: No, score=0\.0/,
  )
  const junkBox = await mailboxContents(srv.store, 'bob@example.test', 'Junk')
  assert.equal(junkBox.length, 1)
  assert.match(
    junkBox[0]?.body ?? '',
    /X-Spam-Status: Yes, score=[\d.]+ required=5\.0 tests=PHRASE_PRIZE/,
  )

  const queueId = /queued as (\S+)/.exec(junk.text)?.[1] ?? ''
  const stored = (await srv.store.spamExplanations.find(queueId)).at(0)
  assert.ok(stored)
  assert.equal(stored.action, 'junk')
  assert.ok(stored.score >= 5)
  const refusedId = /id ([^)\s]+)\)/.exec(refused.text)?.[1] ?? ''
  assert.equal((await srv.store.spamExplanations.find(refusedId))[0]?.action, 'reject')
  assert.equal(seen.length, 3)
  const first = seen.at(0)
  assert.ok(first)
  assert.deepEqual(first.input.rcpts, ['bob@example.test'])
  assert.equal(first.input.direction, 'inbound')
  assert.equal(first.input.accountIds.length, 1)
})

test('submission: the pre-flight refuses at its threshold with the reasons, adds no headers', async (t) => {
  const analyzer = new SpamAnalyzer({ thresholds })
  const srv = await startTestServer({
    settings: { role: 'submission' },
    passwords: { [ALICE]: PASSWORD },
    spam: { analyzer, preflight: true },
  })
  t.after(() => srv.close())
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(235, `AUTH PLAIN ${Buffer.from(`\0${ALICE}\0${PASSWORD}`).toString('base64')}`)
  const spammy = message(
    'FREE MONEY!!! ACT NOW!!!',
    'You have won! Claim your prize, 100% free, risk free, only today. Viagra, cialis, no prescription. Verify your account: http://192.0.2.1/login',
  )
  const r = await send(s, ALICE, spammy, 550, /5\.7\.1 Message refused by pre-flight spam check/)
  assert.match(r.text, /PHRASE_/)
  await send(s, ALICE, message('Minutes', 'The minutes of Monday are attached below.'), 250)
  await s.transact(221, 'QUIT')
  const delivered = await mailboxContents(srv.store, 'bob@example.test')
  assert.equal(delivered.length, 1)
  assert.doesNotMatch(delivered[0]?.body ?? '', /X-Spam/)
  const outbound = await srv.store.spamExplanations.find(/id ([^)\s]+)\)/.exec(r.text)?.[1] ?? '')
  assert.equal(outbound.at(0)?.direction, 'outbound')
  assert.equal(outbound.at(0)?.action, 'refuse')
})

test('without the spam stage configured, nothing is added', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO client.example')
  await send(s, 'a@client.example', message('test', GTUBE), 250)
  await s.transact(221, 'QUIT')
  const [m] = await mailboxContents(srv.store, 'bob@example.test')
  assert.doesNotMatch(m?.body ?? '', /X-Spam/)
})

test('mx: X-Spam fields that arrived with the message are removed; only ours remain', async (t) => {
  const analyzer = new SpamAnalyzer({ thresholds })
  const srv: TestServer = await startTestServer({ spam: { analyzer, preflight: true } })
  t.after(() => srv.close())
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO client.example')
  const forged = [
    'X-Spam-Status: No, score=-100.0 required=5.0',
    '\ttests=ALL_TRUSTED',
    'X-Spam-Flag: NO',
    message('Lunch', 'See you at noon.'),
  ].join('\r\n')
  await send(s, 'a@client.example', forged, 250)
  await s.transact(221, 'QUIT')
  const [stored] = await mailboxContents(srv.store, 'bob@example.test')
  const body = stored?.body ?? ''
  assert.doesNotMatch(body, /ALL_TRUSTED|X-Spam-Flag|-100\.0/)
  assert.equal(body.match(/^X-Spam-Status:/gm)?.length, 1)
  assert.match(body, /^From: <alice@example\.test>\r\n/m)
})
