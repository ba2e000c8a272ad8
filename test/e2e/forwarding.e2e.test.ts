// Forwarding end to end through the mx listener (in-process server, real socket): an alias to
// a remote address queues the message with an SRS envelope sender and an ARC set that mailauth
// validates (arc=pass with our key in DNS); the DMARC evaluation is recorded for reports; a
// bounce to the SRS address goes back to the original sender; a forged SRS address is refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { authenticate } from 'mailauth'
import { staticResolver } from '../../src/dns/resolver.ts'
import { EmailAuthenticator } from '../../src/email-auth/authenticator.ts'
import { Srs } from '../../src/srs/srs.ts'
import { ArcSealer } from '../../src/arc-seal/arc-sealer.ts'
import { SmtpTranscript, startTestServer } from '../harness/smtp-transcript.ts'

const pem = { type: 'pkcs8', format: 'pem' } as const
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 })
const privateKey = Buffer.from(keys.privateKey.export(pem))
const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')

const records = {
  'origin.test': { TXT: [['v=spf1 ip4:127.0.0.1 -all']] },
  '_dmarc.origin.test': { TXT: [['v=DMARC1; p=quarantine; rua=mailto:dmarc@origin.test']] },
  'postern-rsa._domainkey.example.test': { TXT: [[`v=DKIM1; k=rsa; p=${publicKey}`]] },
  'strict.test': { TXT: [['v=spf1 -all']] },
  '_dmarc.strict.test': { TXT: [['v=DMARC1; p=reject; rua=mailto:dmarc@strict.test']] },
}

interface Queued {
  mailFrom: string
  raw: Buffer
  rcpts: string[]
}

function queued(dir: string): Queued[] {
  const db = new Database(join(dir, 'test.db'), { readonly: true })
  try {
    const rows = db
      .prepare<[], { id: number; mail_from: string; data: Buffer }>(
        `SELECT q.id, q.mail_from, b.data FROM queue_messages q
         JOIN message_blobs b ON b.id = q.blob_id ORDER BY q.id`,
      )
      .all()
    const rcpt = db.prepare<[number], { address: string }>(
      'SELECT address FROM queue_recipients WHERE queue_id = ? ORDER BY id',
    )
    return rows.map((r) => ({
      mailFrom: r.mail_from,
      raw: r.data,
      rcpts: rcpt.all(r.id).map((x) => x.address),
    }))
  } finally {
    db.close()
  }
}

async function send(port: number, from: string, to: string, body: string): Promise<void> {
  const s = await SmtpTranscript.open(port)
  await s.transact(250, 'EHLO mail.origin.test')
  await s.transact(250, `MAIL FROM:<${from}>`)
  await s.transact(250, `RCPT TO:<${to}>`)
  await s.transact(354, 'DATA')
  await s.transact(250, `${body.replace(/\n/g, '\r\n')}\r\n.`)
  await s.transact(221, 'QUIT')
}

void test('alias to a remote address: SRS sender, ARC set mailauth validates, DMARC recorded', async (t) => {
  const srs = new Srs({ secret: Buffer.from('forwarding test secret 0123456789'), clock: Date.now })
  const server = await startTestServer({
    accounts: ['alice@example.test'],
    aliases: { 'fwd@example.test': ['dest@remote.test', 'alice@example.test'] },
    resolver: staticResolver(records),
    emailAuth: new EmailAuthenticator({
      authservId: 'mx.example.test',
      timeoutMs: 2000,
      trustedForwarders: [],
      trustedArcSealers: [],
      dmarcExceptions: [],
    }),
    srs,
    forwarding: {
      srs,
      srsDomain: '',
      sealer: new ArcSealer({
        keys: {
          keysFor: (domain) =>
            Promise.resolve(
              domain === 'example.test'
                ? [{ selector: 'postern-rsa', privateKey, algorithm: 'rsa-sha256' }]
                : [],
            ),
        },
      }),
    },
  })
  t.after(() => server.close())
  await send(
    server.port,
    'sender@origin.test',
    'fwd@example.test',
    'From: Sender <sender@origin.test>\nTo: fwd@example.test\nSubject: forwarded\n' +
      'Date: Sat, 28 Nov 2026 05:00:00 +0000\nMessage-ID: <fw1@origin.test>\n\nHello there.',
  )
  const [q] = queued(server.dir)
  assert.ok(q, 'the message is queued for the remote target')
  assert.deepEqual(q.rcpts, ['dest@remote.test'])
  assert.match(q.mailFrom, /^SRS0=[^=]{4}=[A-Z2-7]{2}=origin\.test=sender@example\.test$/)
  assert.deepEqual(srs.reverse(q.mailFrom), { kind: 'ok', address: 'sender@origin.test' })
  const raw = q.raw.toString()
  assert.match(
    raw,
    /^ARC-Seal: i=1; a=rsa-sha256; t=\d+; cv=none; d=example\.test;\s+s=postern-rsa;/,
  )
  assert.match(raw, /^ARC-Authentication-Results: i=1; mx\.example\.test;/m)
  // The next hop validates the chain with our key from DNS.
  const next = await authenticate(q.raw, {
    ip: '127.0.0.2',
    helo: 'mx.example.test',
    sender: q.mailFrom,
    mta: 'next-hop.test',
    resolver: staticResolver(records).resolve as never,
  })
  const arc = next.arc as { status: { result: string } }
  assert.equal(arc.status.result, 'pass')
  // The DMARC evaluation of origin.test (which asks for reports) was recorded.
  const evaluations = await server.store.emailAuth.evaluationsBetween(0, Date.now() + 1)
  const [evaluation] = evaluations
  assert.ok(evaluation && evaluations.length === 1)
  assert.equal(evaluation.policyDomain, 'origin.test')
  assert.equal(evaluation.dmarcResult, 'pass')
  assert.equal(evaluation.spf.aligned, true)
  // A message the DMARC policy rejects (550) is recorded too: reports must count it.
  const s = await SmtpTranscript.open(server.port)
  await s.transact(250, 'EHLO spoofer.test')
  await s.transact(250, 'MAIL FROM:<ceo@strict.test>')
  await s.transact(250, 'RCPT TO:<alice@example.test>')
  await s.transact(354, 'DATA')
  await s.transact(550, 'From: ceo@strict.test\r\nSubject: pay this\r\n\r\nnow\r\n.')
  await s.transact(221, 'QUIT')
  const after = await server.store.emailAuth.evaluationsBetween(0, Date.now() + 1)
  const rejected = after.find((e) => e.policyDomain === 'strict.test')
  assert.equal(rejected?.disposition, 'reject')
  assert.equal(rejected.dmarcResult, 'fail')
})

void test('a bounce to the SRS address goes back to the sender; a forged one is refused', async (t) => {
  const srs = new Srs({ secret: Buffer.from('forwarding test secret 0123456789'), clock: Date.now })
  const server = await startTestServer({
    accounts: ['alice@example.test'],
    aliases: { 'fwd@example.test': ['dest@remote.test'] },
    srs,
    forwarding: { srs, srsDomain: '' },
  })
  t.after(() => server.close())
  const address = srs.forward('sender@origin.test', 'example.test')
  await send(server.port, '', address, 'From: MAILER-DAEMON@remote.test\nSubject: bounce\n\nfailed')
  const [bounce] = queued(server.dir)
  assert.ok(bounce)
  assert.deepEqual(bounce.rcpts, ['sender@origin.test'])
  assert.equal(bounce.mailFrom, '')
  const s = await SmtpTranscript.open(server.port)
  await s.transact(250, 'EHLO remote.test')
  await s.transact(250, 'MAIL FROM:<>')
  await s.transact(550, `RCPT TO:<${address.replace('=sender@', '=mallory@')}>`)
  await s.transact(221, 'QUIT')
  // Mail to a plain local address is not forwarded and gets no SRS or ARC.
  await send(server.port, 'x@origin.test', 'alice@example.test', 'Subject: local\n\nhi')
  assert.equal(queued(server.dir).length, 1)
})

void test('mail relayed for a trusted client is not rewritten (only alias forwarding is)', async (t) => {
  const srs = new Srs({ secret: Buffer.from('forwarding test secret 0123456789'), clock: Date.now })
  const server = await startTestServer({
    accounts: ['alice@example.test'],
    settings: { isTrustedClient: () => true },
    srs,
    forwarding: { srs, srsDomain: '' },
  })
  t.after(() => server.close())
  await send(server.port, 'app@origin.test', 'someone@remote.test', 'Subject: relayed\n\nhi')
  const [relayed] = queued(server.dir)
  assert.ok(relayed)
  assert.deepEqual(relayed.rcpts, ['someone@remote.test'])
  assert.equal(relayed.mailFrom, 'app@origin.test')
  assert.doesNotMatch(relayed.raw.toString(), /^ARC-/m)
})
