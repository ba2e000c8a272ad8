// Crash safety: under concurrent load (8 client loops on separate connections), the server
// is SIGKILLed at random moments at least 10 times and restarted on the same data
// directory and ports. Every message that got its 250 must be in its mailbox exactly once,
// no message is stored twice or half, and each mailbox's UID and count state is consistent.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { SmtpClient, makeMessage } from '../harness/smtp-client.ts'
import { headerValue, mailboxProblems, readMailbox } from '../harness/store-reader.ts'

const LOCAL = 'example.test'
const USERS = Array.from({ length: 4 }, (_, i) => `crash${i}@${LOCAL}`)
const LOOPS = 8
const KILLS = 10
const BODY_END = 'END-OF-BODY'
// A restart costs ~1 s on a quiet machine and over 10 s on a loaded one: the budget is for a
// broken server, not a speed claim.
const TOTAL_BUDGET_MS = 200_000

/** Read through a call so that TypeScript does not narrow it across awaits. */
const isRunning = (state: LoadState): boolean => state.running

interface LoadState {
  running: boolean
  acked: Set<string>
  attempted: number
}

async function connectRetrying(srv: PosternProcess, state: LoadState): Promise<SmtpClient> {
  for (;;) {
    try {
      const s = await SmtpClient.connect(srv.smtpPort, { timeoutMs: 10_000 })
      await s.transact(250, 'EHLO client.test')
      return s
    } catch (err) {
      if (!state.running) throw err
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}

/** One client loop: send messages until stopped; record the ids that got 250. */
async function clientLoop(srv: PosternProcess, loop: number, state: LoadState): Promise<void> {
  const runId = randomUUID().slice(0, 8)
  let seq = 0
  while (state.running) {
    let s: SmtpClient
    try {
      s = await connectRetrying(srv, state)
    } catch {
      return
    }
    try {
      while (isRunning(state)) {
        const id = `${runId}-${loop}-${seq++}`
        const to = USERS[(loop + seq) % USERS.length] ?? ''
        const body = `line 1 of ${id}\r\n${'x'.repeat(500 + ((seq * 37) % 3000))}\r\n${BODY_END}`
        state.attempted++
        const r = await s.sendMail('sender@client.test', [to], makeMessage({ id, to, body }))
        if (r.code === 250) state.acked.add(`<${id}@client.test>`)
      }
      await s.quit()
    } catch {
      s.close() // killed mid-transaction: reconnect
    }
  }
}

test('SIGKILL under load loses no acknowledged message', { timeout: 300_000 }, async (t) => {
  const started = Date.now()
  const srv = await startPosternProcess({
    domain: LOCAL,
    users: USERS.map((address) => ({ address, password: 'pw-' + address })),
  })
  t.after(async () => {
    await srv.cleanup()
  })
  const state: LoadState = { running: true, acked: new Set(), attempted: 0 }
  const loops = Array.from({ length: LOOPS }, (_, i) => clientLoop(srv, i, state))
  let kills = 0
  try {
    while (kills < KILLS && Date.now() - started < TOTAL_BUDGET_MS) {
      const ackedBefore = state.acked.size
      // A random moment, but only once some load has landed on this incarnation.
      const waitUntil = Date.now() + 50 + Math.random() * 400
      while (
        (Date.now() < waitUntil || state.acked.size === ackedBefore) &&
        Date.now() - started < TOTAL_BUDGET_MS
      ) {
        await new Promise((r) => setTimeout(r, 10))
      }
      srv.kill('SIGKILL')
      kills++
      await srv.restart()
    }
  } finally {
    state.running = false
    await Promise.all(loops)
  }
  assert.ok(kills >= KILLS, `only ${kills} kills within the time budget`)
  assert.ok(state.acked.size >= 50, `only ${state.acked.size} messages acknowledged`)
  assert.equal(await srv.stop(), 0, 'clean exit after the last restart')

  const seen = new Map<string, number>()
  for (const user of USERS) {
    const box = readMailbox(srv.dataDir, user)
    assert.deepEqual(mailboxProblems(box), [], `${user} mailbox state`)
    for (const m of box.messages) {
      const raw = m.raw.toString('latin1')
      const mid = headerValue(m.raw, 'Message-ID') ?? ''
      seen.set(mid, (seen.get(mid) ?? 0) + 1)
      assert.ok(raw.endsWith(`${BODY_END}\r\n`), `${mid} stored whole`)
      assert.equal(m.size, m.raw.length, `${mid} size matches its bytes`)
    }
  }
  const dupes = [...seen].filter(([, n]) => n > 1)
  assert.deepEqual(dupes, [], 'no message stored twice')
  const lost = [...state.acked].filter((id) => seen.get(id) !== 1)
  assert.deepEqual(lost, [], 'every acknowledged message is stored exactly once')
  t.diagnostic(
    `kills=${kills} attempted=${state.attempted} acked=${state.acked.size} ` +
      `stored=${seen.size} seconds=${((Date.now() - started) / 1000).toFixed(1)}`,
  )
})
