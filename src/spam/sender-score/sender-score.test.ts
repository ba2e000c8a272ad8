// The outbound sender score on a real store: bounces over the limit throttle the account (451
// 4.7.1 at MAIL), more suspend it (550 5.7.1), each change logged with its reason; an
// administrator lifts it; the window slides; pre-flight refusals count too. Also the MAIL
// check over a submission session (transcript harness).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { createLogger } from '../../telemetry/logger.ts'
import { SmtpReplyError } from '../../smtp/codes.ts'
import {
  SmtpTranscript,
  startTestServer,
  type TestServer,
} from '../../../test/harness/smtp-transcript.ts'
import { judge, SenderScore, type SenderLimits } from './sender-score.ts'

const LIMITS: SenderLimits = {
  windowMs: 24 * 3600_000,
  minMessages: 20,
  throttleBounceRate: 0.1,
  suspendBounceRate: 0.3,
  throttleRefusals: 5,
  suspendRefusals: 15,
}

interface Rig {
  server: TestServer
  score: SenderScore
  clock: { now: number }
  events: Record<string, unknown>[]
  accountId: number
}

async function withScore(fn: (rig: Rig) => Promise<void>): Promise<void> {
  const clock = { now: Date.UTC(2026, 10, 28, 5, 30) }
  const events: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line !== '') events.push(JSON.parse(line) as Record<string, unknown>)
      }
      done()
    },
  })
  const late: { score?: SenderScore } = {}
  const server = await startTestServer({
    settings: { role: 'submission' },
    accounts: ['alice@example.test'],
    passwords: { 'alice@example.test': 'secret' },
    senderCheck: async (id) => {
      await late.score?.checkSender(id)
    },
  })
  const score = new SenderScore({
    repo: server.store.spamLearning.senderScore,
    limits: LIMITS,
    logger: createLogger({ level: 'info', destination: sink }),
    clock: () => clock.now,
  })
  late.score = score
  const account = await server.store.accounts.get('alice@example.test')
  assert.ok(account)
  try {
    await fn({ server, score, clock, events, accountId: account.id })
  } finally {
    await server.close()
  }
}

async function expectRefusal(score: SenderScore, id: number, code: number): Promise<string> {
  try {
    await score.checkSender(id)
  } catch (err) {
    assert.ok(err instanceof SmtpReplyError)
    assert.equal(err.code, code)
    return `${String(err.code)} ${err.enhanced ?? ''} ${err.text}`
  }
  assert.fail(`expected ${String(code)}`)
}

void test('judge: limits apply only above min_messages; refusals count on their own', () => {
  assert.equal(judge({ delivered: 5, bounced: 5, refused: 0 }, LIMITS).state, 'ok')
  assert.equal(judge({ delivered: 17, bounced: 3, refused: 0 }, LIMITS).state, 'throttled')
  assert.equal(judge({ delivered: 10, bounced: 10, refused: 0 }, LIMITS).state, 'suspended')
  assert.equal(judge({ delivered: 0, bounced: 0, refused: 6 }, LIMITS).state, 'throttled')
  assert.deepEqual(judge({ delivered: 18, bounced: 4, refused: 0 }, LIMITS), {
    state: 'throttled',
    reason: 'bounce rate 18.2% over 22 messages in 24 h (limit 10%)',
  })
})

void test('bounces over the limit: throttled, then suspended, logged; a lift restores', async () => {
  await withScore(async ({ score, accountId, events }) => {
    for (let i = 0; i < 18; i++) await score.recordOutcome(accountId, 'delivered')
    await score.recordOutcome(accountId, 'bounced')
    await score.recordOutcome(accountId, 'bounced')
    await score.checkSender(accountId) // 2 / 20 = 10%: not above the limit
    await score.recordOutcome(accountId, 'bounced')
    const throttled = await expectRefusal(score, accountId, 451)
    assert.equal(
      throttled,
      '451 4.7.1 sending rate limited: bounce rate 14.3% over 21 messages in 24 h (limit 10%); try again later',
    )
    assert.equal(events.at(-1)?.event, 'spam.sender-throttled')
    assert.equal(events.at(-1)?.level, 'warn')
    for (let i = 0; i < 10; i++) await score.recordOutcome(accountId, 'bounced')
    const suspended = await expectRefusal(score, accountId, 550)
    assert.match(suspended, /^550 5\.7\.1 sending suspended: bounce rate 30\.8% over 26 messages/)
    assert.equal(events.at(-1)?.event, 'spam.sender-suspended')
    assert.match(String(events.at(-1)?.reason), /bounce rate 30\.8%/)
    const report = await score.report(accountId)
    assert.equal(report.state, 'suspended')
    assert.deepEqual(report.counts, { delivered: 18, bounced: 13, refused: 0 })
    assert.deepEqual(
      (await score.listRestricted()).map((s) => s.state),
      ['suspended'],
    )
    await score.lift(accountId)
    assert.equal(events.at(-1)?.event, 'spam.sender-lifted')
    await score.checkSender(accountId)
    assert.deepEqual((await score.report(accountId)).counts, {
      delivered: 0,
      bounced: 0,
      refused: 0,
    })
    assert.deepEqual(await score.listRestricted(), [])
  })
})

void test('straight to many bounces still goes through the throttle first', async () => {
  await withScore(async ({ score, accountId }) => {
    for (let i = 0; i < 20; i++) await score.recordOutcome(accountId, 'bounced')
    await expectRefusal(score, accountId, 451)
    await score.recordOutcome(accountId, 'bounced')
    await expectRefusal(score, accountId, 550)
  })
})

void test('pre-flight refusals throttle; a throttle ends when the window slides past', async () => {
  await withScore(async ({ score, accountId, clock, events }) => {
    for (let i = 0; i < 6; i++) await score.recordPreflightRefusal(accountId)
    assert.match(
      await expectRefusal(score, accountId, 451),
      /6 messages refused by the spam pre-flight in 24 h \(limit 5\)/,
    )
    clock.now += 25 * 3600_000
    await score.checkSender(accountId)
    assert.equal(events.at(-1)?.event, 'spam.sender-restored')
  })
})

void test('submission: MAIL of a suspended account gets 550 5.7.1, a lifted one 250', async () => {
  await withScore(async ({ server, score, accountId }) => {
    for (let i = 0; i < 21; i++) await score.recordOutcome(accountId, 'bounced')
    const s = await SmtpTranscript.open(server.port)
    try {
      await s.transact(250, 'EHLO client.example')
      const auth = Buffer.from('\0alice@example.test\0secret').toString('base64')
      await s.transact(235, `AUTH PLAIN ${auth}`)
      await s.transact(550, 'MAIL FROM:<alice@example.test>', /sending suspended/)
      await score.lift(accountId)
      await s.transact(250, 'MAIL FROM:<alice@example.test>')
    } finally {
      s.close()
    }
  })
})
