// Email authentication end to end: the real `postern serve` (spawned) with its DNS pointed at
// a loopback DNS server, messages sent to the mx listener over SMTP. Aligned DKIM passes
// (even with SPF failing), a spoofed From of a p=reject domain is refused with 550 5.7.1, a
// p=quarantine failure lands in Junk, a forged Authentication-Results with our authserv-id is
// removed, and the Authentication-Results header says so in each case.
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { dkimSign } from 'mailauth'
import { startDnsServer, type TestDnsServer } from '../harness/dns-server.ts'
import { startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { SmtpClient } from '../harness/smtp-client.ts'
import { headerValue, readMailbox } from '../harness/store-reader.ts'

const USER = 'alice@example.test'
const HOST = 'mx.example.test'

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const PUBLIC_B64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')

function message(from: string, id: string, extraHeaders = ''): string {
  return (
    `${extraHeaders}From: <${from}>\r\nTo: <${USER}>\r\nSubject: auth ${id}\r\n` +
    `Date: ${new Date().toUTCString()}\r\nMessage-ID: <${id}@test>\r\n\r\nHello ${id}.\r\n`
  )
}

async function sign(raw: string, domain: string): Promise<string> {
  const data = { signingDomain: domain, selector: 'sel', privateKey: PRIVATE_PEM }
  const res = await dkimSign(raw, { ...data, signatureData: [{ ...data }] })
  assert.notEqual(res.signatures, '')
  return res.signatures + raw
}

function chunks(text: string): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += 250) out.push(text.slice(i, i + 250))
  return out
}

/** Authentication-Results fields of a stored message, unfolded. */
function authResults(raw: Buffer): string[] {
  const head = raw.toString('latin1').split('\r\n\r\n')[0] ?? ''
  return head
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')
    .filter((l) => /^authentication-results:/i.test(l))
}

describe('email authentication on the mx listener', { timeout: 120_000 }, () => {
  let dns: TestDnsServer
  let srv: PosternProcess
  before(async () => {
    dns = await startDnsServer({
      records: {
        // A 2048-bit key is longer than one TXT string (255 bytes): several strings (RFC 6376 3.6.2.2).
        'sel._domainkey.good.example': [
          { type: 'TXT', data: chunks(`v=DKIM1; k=rsa; p=${PUBLIC_B64}`) },
        ],
        'good.example': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
        '_dmarc.good.example': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
        'quar.example': [{ type: 'TXT', data: 'v=spf1 -all' }],
        '_dmarc.quar.example': [{ type: 'TXT', data: 'v=DMARC1; p=quarantine' }],
        'client.test': [{ type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' }],
      },
    })
    srv = await startPosternProcess({
      domain: 'example.test',
      hostname: HOST,
      users: [{ address: USER, password: 'secret-alice' }],
      env: { POSTERN_DNS_SERVERS: dns.address, POSTERN_AUTH_TIMEOUT_MS: '3000' },
    })
  })
  after(async () => {
    await srv.cleanup()
    await dns.close()
  })

  async function send(
    from: string,
    raw: string,
  ): Promise<{ code: number; enhanced?: string; text: string }> {
    const c = await SmtpClient.connect(srv.smtpPort)
    try {
      await c.transact(250, 'EHLO client.test')
      const reply = await c.sendMail(from, [USER], raw)
      return {
        code: reply.code,
        ...(reply.enhanced ? { enhanced: reply.enhanced } : {}),
        text: reply.raw,
      }
    } finally {
      await c.quit()
    }
  }

  function stored(id: string, mailbox = 'INBOX'): Buffer {
    const hits = readMailbox(srv.dataDir, USER, mailbox).messages.filter(
      (m) => headerValue(m.raw, 'Message-ID') === `<${id}@test>`,
    )
    assert.equal(hits.length, 1, `${id} in ${mailbox}`)
    return hits[0]?.raw ?? Buffer.alloc(0)
  }

  test('aligned DKIM passes DMARC although SPF fails; A-R says so', async () => {
    const id = randomUUID()
    const reply = await send(
      'bounce@good.example',
      await sign(message('news@good.example', id), 'good.example'),
    )
    assert.equal(reply.code, 250, reply.text)
    const raw = stored(id)
    assert.ok(raw.toString('latin1').startsWith('Received: '), 'Received stays on top')
    const [ar, ...more] = authResults(raw)
    assert.equal(more.length, 0)
    assert.match(ar ?? '', new RegExp(`^Authentication-Results: ${HOST.replace(/\./g, '\\.')};`))
    assert.match(ar ?? '', /spf=fail /)
    assert.match(ar ?? '', /dkim=pass [^;]*header\.d=good\.example/)
    assert.match(ar ?? '', /dmarc=pass \(p=REJECT dis=NONE\) header\.from=good\.example/)
  })

  test('a spoofed From of a p=reject domain is refused with 550 5.7.1', async () => {
    const id = randomUUID()
    const reply = await send('x@client.test', message('ceo@good.example', id))
    assert.equal(reply.code, 550, reply.text)
    assert.equal(reply.enhanced, '5.7.1')
    assert.match(reply.text, /DMARC p=reject/)
    assert.match(reply.text, /good\.example/)
    const inbox = readMailbox(srv.dataDir, USER).messages
    assert.equal(inbox.filter((m) => headerValue(m.raw, 'Message-ID') === `<${id}@test>`).length, 0)
  })

  test('a p=quarantine failure is delivered to Junk', async () => {
    const id = randomUUID()
    const reply = await send('a@quar.example', message('a@quar.example', id))
    assert.equal(reply.code, 250, reply.text)
    const [ar] = authResults(stored(id, 'Junk'))
    assert.match(ar ?? '', /spf=fail /)
    assert.match(ar ?? '', /dmarc=fail \(p=QUARANTINE dis=QUARANTINE\) header\.from=quar\.example/)
  })

  test('a forged Authentication-Results claiming our authserv-id is removed', async () => {
    const id = randomUUID()
    const forged =
      `Authentication-Results: ${HOST}; dkim=pass header.d=bank.example; dmarc=pass\r\n` +
      'Authentication-Results: other.example; spf=pass\r\n'
    const reply = await send('x@client.test', message('x@client.test', id, forged))
    assert.equal(reply.code, 250, reply.text)
    const ars = authResults(stored(id))
    assert.equal(ars.length, 2)
    assert.match(ars[0] ?? '', /spf=pass /)
    assert.match(ars[0] ?? '', /dmarc=none header\.from=client\.test/)
    assert.doesNotMatch(ars.join('\n'), /bank\.example/)
    assert.equal(ars[1], 'Authentication-Results: other.example; spf=pass')
  })
})
