// SMTP smuggling: every end-of-DATA look-alike in the shared conformance file
// (../shared/conformance/smtp-smuggling/eod-sequences.yaml, read in place) is driven as its
// header says. PASS: no reply before the real "\r\n.\r\n", then either the whole message
// is refused (4xx/5xx or the session is dropped) or ONE message is stored whose body still
// holds the smuggled MAIL/RCPT/DATA lines as text. Never two messages.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { REPO_ROOT, startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { SmtpClient, type SmtpReply } from '../harness/smtp-client.ts'
import { readMailbox } from '../harness/store-reader.ts'

const CASES_FILE = resolve(REPO_ROOT, '../shared/conformance/smtp-smuggling/eod-sequences.yaml')
const USER = 'alice@example.test'
const EARLY_REPLY_WINDOW_MS = 250

interface EodCase {
  id: string
  bytes: Buffer
}

/** The `cases:` list of the YAML file: `- id:` and `hex:` of each entry. */
export function loadCases(file = CASES_FILE): { cases: EodCase[]; policyChecks: string[] } {
  const text = readFileSync(file, 'utf8')
  const [casesPart = '', policyPart = ''] = text.split(/^policy_checks:/m)
  const cases: EodCase[] = []
  for (const block of casesPart.split(/^ {2}- id: /m).slice(1)) {
    const id = block.split('\n')[0]?.trim() ?? ''
    const hex = /^ {4}hex: ([0-9a-f ]+)$/m.exec(block)?.[1]
    if (hex === undefined) throw new Error(`case ${id}: no hex`)
    cases.push({ id, bytes: Buffer.from(hex.replace(/ /g, ''), 'hex') })
  }
  const policyChecks = [...policyPart.matchAll(/^ {2}- id: (\S+)/gm)].map((m) => m[1] ?? '')
  return { cases, policyChecks }
}

/** Replies until the connection closes or the reply to QUIT (221) arrives. */
async function drain(s: SmtpClient): Promise<SmtpReply[]> {
  const replies: SmtpReply[] = []
  for (let i = 0; i < 20; i++) {
    try {
      const r = await s.read()
      if (r.code === 221) break
      replies.push(r)
    } catch {
      break
    }
  }
  s.close()
  return replies
}

describe('SMTP smuggling: end-of-DATA look-alikes', { timeout: 120_000 }, () => {
  const { cases, policyChecks } = loadCases()
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

  test('the conformance file has cases', () => {
    assert.ok(cases.length >= 12, `${cases.length} cases`)
    assert.deepEqual(policyChecks, ['pipelining-after-data'])
  })

  for (const c of cases) {
    test(`${c.id} (${c.bytes.toString('hex')})`, async (t) => {
      const marker = randomUUID()
      const countBefore = readMailbox(srv.dataDir, USER).messages.length
      const s = await SmtpClient.connect(srv.smtpPort)
      await s.transact(250, 'EHLO client.test')
      await s.transact(250, 'MAIL FROM:<sender@client.test>')
      await s.transact(250, `RCPT TO:<${USER}>`)
      await s.transact(354, 'DATA')
      const head = `From: <sender@client.test>\r\nTo: <${USER}>\r\nSubject: smuggle ${marker}\r\n`
      const smuggled =
        `MAIL FROM:<smuggled-${marker}@client.test>\r\nRCPT TO:<${USER}>\r\nDATA\r\n\r\n` +
        `smuggled ${marker}\r\n`
      s.write(Buffer.concat([Buffer.from(head + '\r\nbody line'), c.bytes, Buffer.from(smuggled)]))
      const early = await s.hasReplyWithin(EARLY_REPLY_WINDOW_MS)
      s.write('\r\n.\r\nQUIT\r\n')
      const replies = await drain(s)
      const box = readMailbox(srv.dataDir, USER)
      const added = box.messages.slice(countBefore).map((m) => m.raw.toString('latin1'))
      const summary = `early=${early} replies=${JSON.stringify(replies.map((r) => r.raw))}`
      t.diagnostic(summary)
      assert.equal(early, false, `a reply came before the real terminator: ${summary}`)
      assert.ok(replies.length <= 1, `one reply expected after the terminator: ${summary}`)
      assert.ok(added.length <= 1, `${added.length} messages stored`)
      const reply = replies[0]
      if (reply?.code === 250) {
        assert.equal(added.length, 1, 'the accepted message is stored')
        const raw = added[0] ?? ''
        assert.ok(raw.includes(`Subject: smuggle ${marker}`))
        assert.ok(raw.includes(`MAIL FROM:<smuggled-${marker}@client.test>`), raw)
        assert.ok(raw.includes(`smuggled ${marker}`), raw)
        t.diagnostic('outcome: accepted as one message with the smuggled lines as text')
      } else {
        assert.ok(reply === undefined || reply.code >= 400, summary)
        assert.equal(added.length, 0, 'a refused message is not stored')
        t.diagnostic(`outcome: refused (${reply?.raw ?? 'session dropped'})`)
      }
    })
  }

  test('policy check pipelining-after-data: the second message is a normal transaction', async (t) => {
    const [m1, m2] = [randomUUID(), randomUUID()]
    const countBefore = readMailbox(srv.dataDir, USER).messages.length
    const s = await SmtpClient.connect(srv.smtpPort)
    const ehlo = await s.transact(250, 'EHLO client.test')
    assert.ok(ehlo.lines.includes('PIPELINING'))
    await s.transact(250, 'MAIL FROM:<sender@client.test>')
    await s.transact(250, `RCPT TO:<${USER}>`)
    await s.transact(354, 'DATA')
    s.write(
      `Subject: first ${m1}\r\n\r\nfirst body\r\n.\r\n` +
        `MAIL FROM:<sender@client.test>\r\nRCPT TO:<${USER}>\r\nDATA\r\n` +
        `Subject: second ${m2}\r\n\r\nsecond body\r\n.\r\nQUIT\r\n`,
    )
    const replies = await drain(s)
    const codes = replies.map((r) => r.code)
    t.diagnostic(`replies: ${JSON.stringify(replies.map((r) => r.raw))}`)
    assert.equal(codes[0], 250, 'the first message is accepted')
    const added = readMailbox(srv.dataDir, USER)
      .messages.slice(countBefore)
      .map((m) => m.raw.toString('latin1'))
    const first = added.filter((r) => r.includes(`first ${m1}`))
    const second = added.filter((r) => r.includes(`second ${m2}`))
    assert.equal(first.length, 1, 'first message stored once')
    assert.ok(!(first[0] ?? '').includes('second body'), 'second message not merged into first')
    if (codes.join(',') === '250,250,250,354,250') {
      assert.equal(second.length, 1, 'second transaction stored once')
      assert.ok(!(second[0] ?? '').includes('first body'))
      t.diagnostic('policy: pipelined second transaction accepted (PIPELINING honoured)')
    } else {
      assert.equal(second.length, 0, `second refused (${codes.join(',')}) and not stored`)
      t.diagnostic(`policy: pipelined second transaction refused (${codes.join(',')})`)
    }
    // The server is still alive and answering.
    const res = await fetch(`http://127.0.0.1:${srv.httpPort}/healthz`)
    assert.equal(res.status, 200)
  })
})
