// Two Postern instances talk to each other the way two servers on the internet would: alice at
// a.test (127.0.0.2) submits over STARTTLS with AUTH (swaks); her Postern looks up b.test's MX
// through a DNS server on loopback and delivers to bob's Postern (127.0.0.3), which checks SPF,
// DKIM and DMARC and files the message in bob's INBOX, read back over IMAP.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { authenticate } from 'mailauth'
import { startDnsServer, type TestDnsServer } from '../harness/dns-server.ts'
import { freePort, startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { headerValue, readMailbox, type StoredMessage } from '../harness/store-reader.ts'
import { staticResolver, type RrType } from '../../src/dns/resolver.ts'

const run = promisify(execFile)
const ALICE = { address: 'alice@a.test', password: 'alice-secret-1' }
const BOB = { address: 'bob@b.test', password: 'bob-secret-1' }

/** The DKIM TXT records of a data directory's keys for a domain (selector "postern"). */
function dkimRecords(dataDir: string, domain: string): Record<string, string> {
  const read = (algo: string): ReturnType<typeof createPublicKey> =>
    createPublicKey(
      createPrivateKey(readFileSync(join(dataDir, 'dkim', `${domain}.postern.${algo}.pem`))),
    )
  const rsa = read('rsa').export({ type: 'spki', format: 'der' }).toString('base64')
  // An Ed25519 SPKI is a 12-byte prefix and the 32-byte key (RFC 8463 4.2: p= is the raw key).
  const ed = read('ed25519').export({ type: 'spki', format: 'der' }).subarray(12).toString('base64')
  return {
    [`postern-rsa._domainkey.${domain}`]: `v=DKIM1; k=rsa; p=${rsa}`,
    [`postern-ed25519._domainkey.${domain}`]: `v=DKIM1; k=ed25519; p=${ed}`,
  }
}

async function waitForMessage(
  dataDir: string,
  address: string,
  id: string,
): Promise<StoredMessage> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const hit = readMailbox(dataDir, address).messages.find(
      (m) => headerValue(m.raw, 'Message-ID') === id,
    )
    if (hit) return hit
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${id} did not reach ${address}`)
}

describe(
  'alice@a.test sends to bob@b.test between two Postern instances',
  { timeout: 120_000 },
  () => {
    let dns: TestDnsServer
    let a: PosternProcess
    let b: PosternProcess
    let submissionPort: number

    before(async () => {
      dns = await startDnsServer()
      const mxPort = await freePort()
      submissionPort = await freePort()
      b = await startPosternProcess({
        domain: 'b.test',
        hostname: 'mx.b.test',
        users: [BOB],
        imap: true,
        env: {
          POSTERN_LISTEN_SMTP: `127.0.0.3:${mxPort}`,
          POSTERN_DNS_SERVERS: dns.address,
          POSTERN_DNS_TIMEOUT_MS: '1000',
        },
      })
      a = await startPosternProcess({
        domain: 'a.test',
        hostname: 'mx.a.test',
        users: [ALICE],
        env: {
          POSTERN_LISTEN_SMTP: `127.0.0.2:${await freePort()}`,
          POSTERN_LISTEN_SUBMISSION: `127.0.0.2:${submissionPort}`,
          POSTERN_DNS_SERVERS: dns.address,
          POSTERN_DNS_TIMEOUT_MS: '1000',
          POSTERN_OUTBOUND_PORT: String(mxPort),
          POSTERN_OUTBOUND_SOURCE_IPV4: '127.0.0.2',
        },
      })
      dns.add('b.test', { type: 'MX', data: { preference: 10, exchange: 'mx.b.test' } })
      dns.add('mx.b.test', { type: 'A', data: '127.0.0.3' })
      dns.add('a.test', { type: 'MX', data: { preference: 10, exchange: 'mx.a.test' } })
      dns.add('a.test', { type: 'TXT', data: 'v=spf1 ip4:127.0.0.2 -all' })
      dns.add('mx.a.test', { type: 'A', data: '127.0.0.2' })
      dns.add('_dmarc.a.test', { type: 'TXT', data: 'v=DMARC1; p=reject' })
      for (const [name, value] of Object.entries(dkimRecords(a.dataDir, 'a.test'))) {
        dns.add(name, { type: 'TXT', data: value.match(/.{1,255}/g) ?? [] })
      }
    })

    after(async () => {
      await a.cleanup()
      await b.cleanup()
      await dns.close()
    })

    test('swaks submits with STARTTLS + AUTH; bob gets it signed, SPF/DKIM/DMARC pass', async () => {
      const id = `<${randomUUID()}@a.test>`
      await run(
        'swaks',
        [
          ...['--server', '127.0.0.2', '--port', String(submissionPort), '--tls'],
          ...['--auth', 'PLAIN', '--auth-user', ALICE.address, '--auth-password', ALICE.password],
          ...['--from', ALICE.address, '--to', BOB.address, '--helo', 'laptop.a.test'],
          ...['--header', `Message-Id: ${id}`, '--header', 'Subject: hello from a.test'],
          ...['--body', 'Hi Bob, this went through two Posterns.', '--timeout', '20'],
        ],
        { timeout: 30_000 },
      )
      const got = await waitForMessage(b.dataDir, BOB.address, id)
      const raw = got.raw.toString('utf8')
      assert.match(raw, /^DKIM-Signature: .*d=a\.test/m)
      const results = headerValue(got.raw, 'Authentication-Results') ?? ''
      assert.match(results, /^mx\.b\.test;/)
      assert.match(results, /dkim=pass/)
      assert.match(results, /spf=pass/)
      assert.match(results, /dmarc=pass/)
      // An independent check of the signature as stored, with the published keys.
      const resolver = staticResolver(
        Object.fromEntries(
          Object.entries(dkimRecords(a.dataDir, 'a.test')).map(([k, v]) => [k, { TXT: [[v]] }]),
        ),
      )
      const verdict = await authenticate(got.raw, {
        resolver: (name, rrtype) => resolver.resolve(name, rrtype as RrType) as Promise<string[][]>,
        trustReceived: false,
      })
      const passes = verdict.dkim.results.filter((r) => r.status.result === 'pass')
      assert.ok(passes.length >= 1, JSON.stringify(verdict.dkim.results.map((r) => r.status)))
    })

    test('bob reads it over IMAP', async () => {
      const { stdout } = await run(
        '/usr/bin/python3',
        [
          '-c',
          [
            'import imaplib,sys',
            `c=imaplib.IMAP4('127.0.0.1',${b.imapPort})`,
            'c.starttls()',
            `c.login('${BOB.address}','${BOB.password}')`,
            "c.select('INBOX')",
            "t,d=c.search(None,'SUBJECT','\"hello from a.test\"')",
            'print(len(d[0].split()))',
            'c.logout()',
          ].join('\n'),
        ],
        { timeout: 30_000 },
      )
      assert.equal(stdout.trim(), '1')
    })
  },
)
