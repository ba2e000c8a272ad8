// Greylisting over SMTP (transcript harness) with an injected clock: first contact 451, an
// early retry 451, a retry after the delay 250, the remembered triple 250 later; passlisted
// networks and senders with a good reputation are never delayed; a DMARC pass lets the next
// message of the triple through.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  SmtpTranscript,
  startTestServer,
  type TestServer,
} from '../../../test/harness/smtp-transcript.ts'
import { Greylist, type GreylistOptions } from './greylist.ts'

const START = Date.UTC(2026, 10, 28, 5, 0, 0)

interface Rig {
  server: TestServer
  greylist: Greylist
  clock: { now: number }
}

async function withGreylist(
  opts: Partial<GreylistOptions>,
  fn: (rig: Rig) => Promise<void>,
): Promise<void> {
  const clock = { now: START }
  const late: { greylist?: Greylist } = {}
  const server = await startTestServer({
    rcptChecks: [(input) => late.greylist?.rcptCheck()(input)],
  })
  const greylist = new Greylist({
    repo: server.store.spamLearning.greylist,
    delayS: 300,
    expireS: 4 * 3600,
    rememberS: 30 * 86400,
    passlist: [],
    clock: () => clock.now,
    ...opts,
  })
  late.greylist = greylist
  try {
    await fn({ server, greylist, clock })
  } finally {
    await server.close()
  }
}

/** One attempt: EHLO, MAIL, RCPT; resolves with the RCPT reply code. */
async function attempt(port: number, rcpt = 'alice@example.test'): Promise<number> {
  const s = await SmtpTranscript.open(port)
  try {
    await s.transact(250, 'EHLO client.example')
    await s.transact(250, 'MAIL FROM:<sender@remote.example>')
    s.send(`RCPT TO:<${rcpt}>`)
    const reply = await s.read()
    if (reply.code === 451) assert.match(reply.lines[0] ?? '', /^451 4\.7\.1 greylisted/)
    return reply.code
  } finally {
    s.close()
  }
}

void test('first contact 451, early retry 451, retry after the delay 250, then remembered', async () => {
  await withGreylist({}, async ({ server, clock }) => {
    assert.equal(await attempt(server.port), 451)
    clock.now += 120_000 // 2 min: too early (and the delay is not restarted)
    assert.equal(await attempt(server.port), 451)
    clock.now += 200_000 // 5 min 20 s after first contact
    assert.equal(await attempt(server.port), 250)
    clock.now += 10 * 86_400_000 // ten days later: still known
    assert.equal(await attempt(server.port), 250)
    // Another recipient is another triple.
    assert.equal(await attempt(server.port, 'bob@example.test'), 451)
  })
})

void test('a retry after expire_s starts over; a triple unseen for remember_s is forgotten', async () => {
  await withGreylist({}, async ({ server, clock }) => {
    assert.equal(await attempt(server.port), 451)
    clock.now += 5 * 3600_000 // past expire_s
    assert.equal(await attempt(server.port), 451)
    clock.now += 400_000
    assert.equal(await attempt(server.port), 250)
    clock.now += 31 * 86_400_000
    assert.equal(await attempt(server.port), 451)
  })
})

void test('passlisted networks and good reputations skip greylisting', async () => {
  await withGreylist({ passlist: ['127.0.0.0/8'] }, async ({ server }) => {
    assert.equal(await attempt(server.port), 250)
  })
  await withGreylist(
    { isGoodSender: (ip) => Promise.resolve(ip === '127.0.0.1') },
    async ({ server }) => {
      assert.equal(await attempt(server.port), 250)
    },
  )
  await withGreylist({ isGoodSender: () => Promise.resolve(false) }, async ({ server }) => {
    assert.equal(await attempt(server.port), 451)
  })
})

void test('after a message of the triple passed DMARC, the next one is not delayed', async () => {
  await withGreylist({}, async ({ server, greylist }) => {
    await greylist.recordDmarcPass({
      clientIp: '127.0.0.1',
      mailFrom: 'Sender@remote.example',
      rcpts: ['alice@example.test'],
    })
    assert.equal(await attempt(server.port), 250)
  })
})

void test('check() decisions carry why and when to retry', async () => {
  await withGreylist({}, async ({ greylist, clock }) => {
    const t = { clientIp: '2001:db8:1:2::5', mailFrom: 'a@b.example', rcpt: 'x@y.example' }
    assert.deepEqual(await greylist.check(t), { kind: 'defer', retryInS: 300 })
    clock.now += 100_000
    // Another address of the same /64 is the same triple.
    assert.deepEqual(await greylist.check({ ...t, clientIp: '2001:db8:1:2::9' }), {
      kind: 'defer',
      retryInS: 200,
    })
    clock.now += 200_000
    assert.deepEqual(await greylist.check(t), { kind: 'pass', why: 'retried' })
    assert.deepEqual(await greylist.check({ ...t, clientIp: 'bogus' }), {
      kind: 'pass',
      why: 'not-applicable',
    })
  })
})
