// Never an open relay: every classic relay trick from an unauthenticated client is refused
// at RCPT (5xx; 554 5.7.1 when the final domain is not local), and nothing is stored or
// queued for it, even when a valid local recipient is in the same transaction.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { SmtpClient, dataBlock, makeMessage } from '../harness/smtp-client.ts'
import { countStored, readMailbox } from '../harness/store-reader.ts'

const LOCAL = 'example.test'
const USER = `alice@${LOCAL}`

interface RelayCase {
  name: string
  rcpt: string
  /** The reply must be exactly 554 5.7.1 (final domain not local). */
  nonLocal: boolean
}

const CASES: RelayCase[] = [
  { name: 'non-local recipient', rcpt: '<user@other.example>', nonLocal: true },
  { name: 'non-local, upper case', rcpt: '<USER@OTHER.EXAMPLE>', nonLocal: true },
  { name: 'percent hack', rcpt: `<user%other.example@${LOCAL}>`, nonLocal: false },
  { name: 'percent hack on a real user', rcpt: `<alice%other.example@${LOCAL}>`, nonLocal: false },
  { name: 'source route', rcpt: '<@relay.example:user@other.example>', nonLocal: true },
  { name: 'source route via us', rcpt: `<@${LOCAL}:user@other.example>`, nonLocal: true },
  { name: 'quoted local part', rcpt: `<"user@other.example"@${LOCAL}>`, nonLocal: false },
  { name: 'bang path', rcpt: `<other.example!user@${LOCAL}>`, nonLocal: false },
  { name: 'bang path on a real user', rcpt: `<other.example!alice@${LOCAL}>`, nonLocal: false },
  { name: 'trailing dot domain', rcpt: '<user@other.example.>', nonLocal: false },
  { name: 'address literal', rcpt: '<user@[192.0.2.1]>', nonLocal: false },
]

describe('open relay attempts are refused', { timeout: 60_000 }, () => {
  let srv: PosternProcess
  before(async () => {
    srv = await startPosternProcess({
      domain: LOCAL,
      users: [{ address: USER, password: 'secret-alice' }],
      // The mixed test sends every refused RCPT in one session: stay under the error limit.
      env: { POSTERN_SMTP_MAX_ERRORS: '50' },
    })
  })
  after(async () => {
    await srv.cleanup()
  })

  for (const c of CASES) {
    test(`${c.name}: RCPT TO:${c.rcpt}`, async () => {
      const s = await SmtpClient.connect(srv.smtpPort)
      await s.transact(250, 'EHLO client.test')
      await s.transact(250, 'MAIL FROM:<spammer@client.test>')
      const r = await s.command(`RCPT TO:${c.rcpt}`)
      assert.ok(r.code >= 500 && r.code < 600, `expected 5xx, got ${r.raw}`)
      if (c.nonLocal) {
        assert.equal(r.code, 554, r.raw)
        assert.equal(r.enhanced, '5.7.1', r.raw)
      }
      const data = await s.command('DATA')
      assert.ok(data.code >= 500, `DATA without recipients must fail: ${data.raw}`)
      await s.quit()
    })
  }

  test('relay recipients mixed with a local one: only the local copy is stored', async () => {
    const s = await SmtpClient.connect(srv.smtpPort)
    await s.transact(250, 'EHLO client.test')
    await s.transact(250, 'MAIL FROM:<spammer@client.test>')
    await s.transact(250, `RCPT TO:<${USER}>`)
    for (const c of CASES) {
      const r = await s.command(`RCPT TO:${c.rcpt}`)
      assert.ok(r.code >= 500, `${c.rcpt} -> ${r.raw}`)
    }
    await s.transact(354, 'DATA')
    s.write(dataBlock(makeMessage({ id: randomUUID(), to: USER })))
    assert.equal((await s.read()).code, 250)
    await s.quit()
    const box = readMailbox(srv.dataDir, USER)
    assert.equal(box.messages.length, 1)
  })

  test('nothing was queued for a remote domain', () => {
    // Runs after the cases above (node:test runs a describe's tests in order).
    const stored = countStored(srv.dataDir)
    assert.equal(stored.queued, 0, 'no queue_recipients rows')
    assert.equal(stored.messages, 1, 'only the one local copy')
  })
})
