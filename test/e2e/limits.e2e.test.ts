// Limits: SIZE is exact (a message of exactly max_message_bytes is accepted, one byte more
// is refused with 552 5.3.4), counted on the message content as received (after dot
// unstuffing, final CRLF included, before the Received header is added); and 1,000
// concurrent deliveries are all stored exactly once.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  metricValue,
  startPosternProcess,
  type PosternProcess,
} from '../harness/postern-process.ts'
import { SmtpClient, dataBlock, makeMessage } from '../harness/smtp-client.ts'
import { headerValue, mailboxProblems, readMailbox } from '../harness/store-reader.ts'

const LOCAL = 'example.test'
const USERS = Array.from({ length: 10 }, (_, i) => `user${i}@${LOCAL}`)
const MAX = 20_000

/** A message of exactly `size` bytes (CRLF line ends), many lines starting with a dot. */
function messageOfSize(size: number, id: string): Buffer {
  const head = makeMessage({ id, to: USERS[0] ?? '', body: '' }).slice(0, -2)
  const line = '.' + 'x'.repeat(70) + '\r\n' // dot-stuffed on the wire: wire > content
  let text = head
  while (text.length + line.length <= size - 3) text += line
  text += 'y'.repeat(size - text.length - 2) + '\r\n'
  const buf = Buffer.from(text, 'latin1')
  assert.equal(buf.length, size)
  return buf
}

async function session(srv: PosternProcess): Promise<SmtpClient> {
  const s = await SmtpClient.connect(srv.smtpPort)
  await s.transact(250, 'EHLO client.test')
  await s.transact(250, 'MAIL FROM:<sender@client.test>')
  await s.transact(250, `RCPT TO:<${USERS[0] ?? ''}>`)
  return s
}

function storedWithId(srv: PosternProcess, user: string, id: string): Buffer[] {
  const box = readMailbox(srv.dataDir, user)
  return box.messages
    .filter((m) => headerValue(m.raw, 'Message-ID') === `<${id}@client.test>`)
    .map((m) => m.raw)
}

describe('SMTP limits', { timeout: 180_000 }, () => {
  let srv: PosternProcess
  before(async () => {
    srv = await startPosternProcess({
      domain: LOCAL,
      users: USERS.map((address) => ({ address, password: 'pw-' + address })),
      env: {
        POSTERN_SMTP_MAX_MESSAGE_BYTES: String(MAX),
        POSTERN_SMTP_MAX_CONNECTIONS_PER_IP: '500',
        POSTERN_SMTP_MAX_CONNECTIONS: '1000',
      },
    })
  })
  after(async () => {
    await srv.cleanup()
  })

  test('EHLO advertises the configured SIZE', async () => {
    const s = await SmtpClient.connect(srv.smtpPort)
    const ehlo = await s.transact(250, 'EHLO client.test')
    assert.ok(ehlo.lines.includes(`SIZE ${MAX}`), ehlo.raw)
    await s.quit()
  })

  test('DATA of exactly SIZE bytes is accepted and stored byte for byte', async () => {
    const id = randomUUID()
    const msg = messageOfSize(MAX, id)
    const s = await session(srv)
    await s.transact(354, 'DATA')
    s.write(dataBlock(msg))
    const r = await s.read()
    assert.equal(r.code, 250, r.raw)
    await s.quit()
    const stored = storedWithId(srv, USERS[0] ?? '', id)
    assert.equal(stored.length, 1)
    assert.ok(stored[0]?.subarray(-msg.length).equals(msg), 'content stored unchanged')
  })

  test('DATA of SIZE + 1 bytes is refused with 552 5.3.4 and not stored', async () => {
    const id = randomUUID()
    const s = await session(srv)
    await s.transact(354, 'DATA')
    s.write(dataBlock(messageOfSize(MAX + 1, id)))
    const r = await s.read()
    assert.equal(r.code, 552, r.raw)
    assert.equal(r.enhanced, '5.3.4', r.raw)
    // The session stays usable after the refusal.
    await s.transact(250, 'RSET')
    await s.quit()
    assert.equal(storedWithId(srv, USERS[0] ?? '', id).length, 0)
  })

  test('BDAT: exactly SIZE accepted, SIZE + 1 refused with 552', async () => {
    for (const [size, code] of [
      [MAX, 250],
      [MAX + 1, 552],
    ] as const) {
      const id = randomUUID()
      const msg = messageOfSize(size, id)
      const s = await session(srv)
      const half = Math.floor(msg.length / 2)
      s.write(`BDAT ${half}\r\n`)
      s.write(msg.subarray(0, half))
      const first = await s.read()
      s.write(`BDAT ${msg.length - half} LAST\r\n`)
      s.write(msg.subarray(half))
      const last = await s.read()
      s.close()
      if (code === 250) {
        assert.equal(first.code, 250, first.raw)
        assert.equal(last.code, 250, last.raw)
      } else {
        assert.equal(first.code, 250, first.raw)
        assert.equal(last.code, 552, last.raw)
        assert.equal(last.enhanced, '5.3.4', last.raw)
      }
      assert.equal(storedWithId(srv, USERS[0] ?? '', id).length, code === 250 ? 1 : 0)
    }
  })

  test('MAIL FROM with SIZE= above the limit is refused at once', async () => {
    const s = await SmtpClient.connect(srv.smtpPort)
    await s.transact(250, 'EHLO client.test')
    const r = await s.command(`MAIL FROM:<sender@client.test> SIZE=${MAX + 1}`)
    assert.equal(r.code, 552, r.raw)
    await s.transact(250, `MAIL FROM:<sender@client.test> SIZE=${MAX}`)
    await s.quit()
  })

  test('1,000 concurrent deliveries (100 connections x 10 messages) stored exactly once', async () => {
    const runId = randomUUID().slice(0, 8)
    const before = metricValue(await srv.metrics(), 'postern_messages_accepted_total')
    const deadline = Date.now() + 120_000
    const sendLoop = async (conn: number): Promise<string[]> => {
      const s = await SmtpClient.connect(srv.smtpPort)
      await s.transact(250, 'EHLO client.test')
      const ids: string[] = []
      for (let i = 0; i < 10 && Date.now() < deadline; i++) {
        const id = `${runId}-${conn}-${i}`
        const to = USERS[(conn + i) % USERS.length] ?? ''
        const r = await s.sendMail('sender@client.test', [to], makeMessage({ id, to }))
        assert.equal(r.code, 250, r.raw)
        ids.push(id)
      }
      await s.quit()
      return ids
    }
    const sent = (await Promise.all(Array.from({ length: 100 }, (_, c) => sendLoop(c)))).flat()
    assert.equal(sent.length, 1000)
    const seen = new Map<string, number>()
    for (const user of USERS) {
      const box = readMailbox(srv.dataDir, user)
      assert.deepEqual(mailboxProblems(box), [], user)
      for (const m of box.messages) {
        const mid = headerValue(m.raw, 'Message-ID') ?? ''
        if (mid.startsWith(`<${runId}-`)) seen.set(mid, (seen.get(mid) ?? 0) + 1)
      }
    }
    const missing = sent.filter((id) => seen.get(`<${id}@client.test>`) !== 1)
    assert.deepEqual(missing, [], 'every message stored exactly once')
    assert.equal(seen.size, 1000)
    const metrics = await srv.metrics()
    const afterCount = metricValue(metrics, 'postern_messages_accepted_total')
    assert.ok(afterCount - before >= 1000, `accepted counter moved by ${afterCount - before}`)
    // Group commit: concurrent sessions shared commits, so there were fewer fsyncs than messages.
    const commits = metricValue(metrics, 'postern_store_commits_total')
    assert.ok(commits > 0 && commits < afterCount, `${commits} commits for ${afterCount} messages`)
  })
})
