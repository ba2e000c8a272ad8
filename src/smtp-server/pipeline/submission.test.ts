import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  startTestServer,
  SmtpTranscript,
  mailboxContents,
  type TestServer,
} from '../../../test/harness/smtp-transcript.ts'
import {
  dkimRecordFor,
  verifyWithMailauth,
  type DkimRecords,
} from '../../../test/harness/dkim-check.ts'
import { DkimKeyStore } from '../../dkim-sign/dkim-keys.ts'
import { DkimSigner } from '../../dkim-sign/dkim-signer.ts'

const ALICE = 'alice@example.test'
const PASSWORD = 'correct horse'

function submissionServer(signer?: DkimSigner): Promise<TestServer> {
  return startTestServer({
    settings: { role: 'submission' },
    passwords: { [ALICE]: PASSWORD },
    aliases: {
      'sales@example.test': ['bob@example.test', ALICE],
      'info@example.test': ['bob@example.test'],
    },
    ...(signer ? { submission: { dkimSigner: signer } } : {}),
  })
}

async function logIn(port: number): Promise<SmtpTranscript> {
  const s = await SmtpTranscript.open(port)
  await s.transact(250, 'EHLO c.example')
  const token = Buffer.from(`\0${ALICE}\0${PASSWORD}`).toString('base64')
  await s.transact(235, `AUTH PLAIN ${token}`)
  return s
}

async function send(s: SmtpTranscript, message: string, code: number, text?: RegExp) {
  await s.transact(354, 'DATA')
  return s.transact(code, `${message}\r\n.`, text)
}

test('the envelope sender must be the account or an alias reaching it (550 5.7.1)', async () => {
  const srv = await submissionServer()
  const s = await logIn(srv.port)
  await s.transact(550, 'MAIL FROM:<bob@example.test>', /5\.7\.1 .*not owned by alice/)
  await s.transact(550, 'MAIL FROM:<info@example.test>', /5\.7\.1/)
  await s.transact(550, 'MAIL FROM:<>', /5\.7\.1 the null sender/)
  await s.transact(550, 'MAIL FROM:<alice@elsewhere.test>', /5\.7\.1/)
  await s.transact(250, 'MAIL FROM:<Sales@Example.test>')
  await s.transact(250, 'RSET')
  await s.transact(250, `MAIL FROM:<${ALICE}>`)
  // Authenticated submission relays to remote domains; local ones are routed as on mx.
  await s.transact(250, 'RCPT TO:<carol@remote.example>')
  await s.transact(550, 'RCPT TO:<nobody@example.test>', /5\.1\.1/)
  await s.transact(250, 'RCPT TO:<bob@example.test>')
  await send(s, 'From: Sales <sales@example.test>\r\nSubject: hi\r\n\r\nbody', 250)
  const [msg] = await mailboxContents(srv.store, 'bob@example.test')
  assert.match(msg?.body ?? '', /^From: Sales <sales@example\.test>$/m)
  const queued = await srv.store.queue.listRecipients()
  assert.deepEqual(
    queued.map((r) => r.address),
    ['carol@remote.example'],
  )
  s.close()
  await srv.close()
})

test('the header From must be owned too, checked at the end of data', async () => {
  const srv = await submissionServer()
  const s = await logIn(srv.port)
  const cases: [string, number, RegExp][] = [
    ['From: Bob <bob@example.test>\r\n', 550, /5\.7\.1 header From <bob@example\.test>/],
    ['From: alice@example.test, bob@example.test\r\n', 550, /5\.7\.1/],
    ['', 550, /5\.6\.0 the message has no From field/],
    ['From: a@example.test\r\nFrom: alice@example.test\r\n', 550, /several From/],
    ['From: =?utf-8?q?Al=C3=AFce?= <ALICE@example.test>\r\n', 250, /queued/],
  ]
  for (const [from, code, text] of cases) {
    await s.transact(250, `MAIL FROM:<${ALICE}>`)
    await s.transact(250, 'RCPT TO:<bob@example.test>')
    await send(s, `${from}Subject: t\r\n\r\nbody`, code, text)
  }
  assert.equal((await mailboxContents(srv.store, 'bob@example.test')).length, 1)
  s.close()
  await srv.close()
})

test('Message-ID and Date are added when missing, kept when present', async () => {
  const srv = await submissionServer()
  const s = await logIn(srv.port)
  await s.transact(250, `MAIL FROM:<${ALICE}>`)
  await s.transact(250, 'RCPT TO:<bob@example.test>')
  await send(s, 'From: alice@example.test\r\nSubject: bare\r\n\r\nbody', 250)
  const given = 'Message-ID: <given@client>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0100\r\n'
  await s.transact(250, `MAIL FROM:<${ALICE}>`)
  await s.transact(250, 'RCPT TO:<bob@example.test>')
  await send(s, `From: alice@example.test\r\n${given}Subject: full\r\n\r\nbody`, 250)
  const [bare, full] = await mailboxContents(srv.store, 'bob@example.test')
  assert.match(bare?.body ?? '', /^Message-ID: <[0-9a-f]{32}@mx\.example\.test>\r$/m)
  assert.match(bare?.body ?? '', /^Date: \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r$/m)
  const fullBody = full?.body ?? ''
  assert.equal(fullBody.match(/^Message-ID:/gm)?.length, 1)
  assert.equal(fullBody.match(/^Date:/gm)?.length, 1)
  assert.ok(fullBody.includes(given))
  s.close()
  await srv.close()
})

test('submitted mail is DKIM-signed (RSA and Ed25519) and local recipients get it signed', async () => {
  const pem = { type: 'pkcs8', format: 'pem' } as const
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export(pem)
  const ed = generateKeyPairSync('ed25519').privateKey.export(pem)
  let keyDir = '' // the server's temp dir, known once it runs; keys are read at first use
  const keys = new DkimKeyStore({
    keyFiles: (d) => ({
      rsa: { path: join(keyDir, `${d}.rsa.pem`), dnsSelector: 'postern-rsa' },
      ed25519: { path: join(keyDir, `${d}.ed25519.pem`), dnsSelector: 'postern-ed25519' },
    }),
    clock: Date.now,
  })
  const srv = await submissionServer(new DkimSigner({ keys }))
  keyDir = join(srv.dir, 'dkim')
  mkdirSync(keyDir)
  writeFileSync(join(keyDir, 'example.test.rsa.pem'), rsa)
  writeFileSync(join(keyDir, 'example.test.ed25519.pem'), ed)
  const records: DkimRecords = {
    'postern-rsa._domainkey.example.test': dkimRecordFor(rsa),
    'postern-ed25519._domainkey.example.test': dkimRecordFor(ed),
  }
  const s = await logIn(srv.port)
  await s.transact(250, `MAIL FROM:<${ALICE}>`)
  await s.transact(250, 'RCPT TO:<bob@example.test>')
  await s.transact(250, 'RCPT TO:<sales@example.test>') // bob and alice: one blob, both signed
  await send(
    s,
    'From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: signed\r\n\r\nhello',
    250,
  )
  for (const who of ['bob@example.test', ALICE]) {
    const [msg] = await mailboxContents(srv.store, who)
    const raw = Buffer.from(msg?.body ?? '')
    assert.equal(raw.toString().match(/^DKIM-Signature:/gm)?.length, 2, who)
    assert.deepEqual(await verifyWithMailauth(raw, records), [
      ['rsa-sha256', 'pass'],
      ['ed25519-sha256', 'pass'],
    ])
  }
  const text = await srv.metrics.registry.metrics()
  assert.match(text, /postern_dkim_signed_total\{result="signed"\} 1/)
  s.close()
  await srv.close()
})
