// swaks (a real SMTP client, Debian package `swaks`) delivers to a local user over plain
// SMTP and STARTTLS; each message must land in the INBOX exactly once, body intact, with a
// Received header. swaks 20201014 has no BDAT support, so BDAT (CHUNKING, RFC 3030) is
// driven with the test SMTP client instead, over plain and STARTTLS.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { SmtpClient, makeMessage } from '../harness/smtp-client.ts'
import { headerValue, readMailbox } from '../harness/store-reader.ts'

const run = promisify(execFile)
const USER = 'alice@example.test'

async function swaks(srv: PosternProcess, extra: string[]): Promise<string> {
  const { stdout } = await run(
    'swaks',
    [
      '--server',
      '127.0.0.1',
      '--port',
      String(srv.smtpPort),
      '--helo',
      'client.test',
      '--from',
      'sender@client.test',
      '--to',
      USER,
      '--timeout',
      '20',
      ...extra,
    ],
    { timeout: 30_000 },
  )
  return stdout
}

/** Asserts exactly one message in alice's INBOX has this header value, and returns it. */
function findOnce(srv: PosternProcess, value: string, header = 'Message-ID'): string {
  const box = readMailbox(srv.dataDir, USER)
  const hits = box.messages.filter((m) => headerValue(m.raw, header) === value)
  assert.equal(hits.length, 1, `message ${value} stored ${hits.length} times`)
  const raw = hits[0]?.raw.toString('utf8') ?? ''
  assert.match(raw, /^Received: /m, 'a Received header was added')
  assert.ok(raw.startsWith('Received: '), 'Received header is prepended')
  return raw
}

describe('swaks delivers to a local user', { timeout: 120_000 }, () => {
  let srv: PosternProcess
  before(async () => {
    srv = await startPosternProcess({
      domain: 'example.test',
      users: [{ address: USER, password: 'secret-alice' }],
    })
  })
  after(async () => {
    await srv.cleanup()
  })

  for (const mode of ['plain', 'starttls', 'starttls+pipelining'] as const) {
    test(`DATA over ${mode}`, async () => {
      const id = randomUUID()
      const body = `Hello over ${mode}.\nA line with a leading dot:\n.dot\nend.`
      const extra = ['--header', `X-Test-Id: ${id}`, '--body', body]
      if (mode !== 'plain') extra.push('--tls')
      if (mode === 'starttls+pipelining') extra.push('--pipeline')
      const out = await swaks(srv, extra)
      // swaks exits non-zero (execFile rejects) when any reply is not the expected one.
      assert.match(out, /<[-~] {2}250 /, out)
      if (mode !== 'plain') assert.match(out, /TLS started/, out)
      const raw = findOnce(srv, id, 'X-Test-Id')
      assert.ok(
        raw.includes('Hello over ' + mode + '.\r\nA line with a leading dot:\r\n.dot\r\nend.\r\n'),
        `body intact:\n${raw}`,
      )
    })
  }

  for (const tls of [false, true]) {
    test(`BDAT (CHUNKING) over ${tls ? 'STARTTLS' : 'plain'} with the test client`, async () => {
      const c = await SmtpClient.connect(srv.smtpPort)
      const ehlo = await c.transact(250, 'EHLO client.test')
      assert.ok(ehlo.lines.includes('CHUNKING'), ehlo.raw)
      if (tls) {
        await c.starttls()
        await c.transact(250, 'EHLO client.test')
      }
      const id = randomUUID()
      const msg = makeMessage({ id, to: USER, body: 'first chunk|' })
      const second = '.second chunk, a leading dot kept as is\r\n'
      await c.transact(250, 'MAIL FROM:<sender@client.test>')
      await c.transact(250, `RCPT TO:<${USER}>`)
      const a = Buffer.from(msg.slice(0, -2), 'utf8')
      c.write(`BDAT ${a.length}\r\n`)
      c.write(a)
      assert.equal((await c.read()).code, 250)
      const b = Buffer.from('\r\n' + second, 'utf8')
      c.write(`BDAT ${b.length} LAST\r\n`)
      c.write(b)
      const final = await c.read()
      assert.equal(final.code, 250, final.raw)
      await c.quit()
      const raw = findOnce(srv, `<${id}@client.test>`)
      assert.ok(raw.endsWith('first chunk|\r\n' + second), `body intact:\n${raw}`)
    })
  }
})
