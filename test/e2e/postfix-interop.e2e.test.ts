// Interop with Postfix (Debian's package) on loopback, both directions, with one private
// Postfix instance (peer.test, Maildirs for bob, carol, dave) and one real `postern serve`
// (example.test) shared by the tests:
// - Postern's SMTP transport (src/outbound) delivers to Postfix (MX of peer.test found
//   through a DNS server on loopback, transport port = Postfix's port);
// - Postfix relays into Postern's mx listener (relayhost = Postern);
// - Postern's queue relays a message from a trusted client through the transport to Postfix.
// The Postfix instance has its own config, queue and pid file under a temp dir and is stopped
// by the test (test/harness/postfix-instance.ts); a system Postfix is never touched.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNetworkResolver } from '../../src/dns/resolver.ts'
import { createSmtpTransport } from '../../src/outbound/smtp-transport.ts'
import { writeSelfSignedCertificate } from '../../src/tls/self-signed.ts'
import { startDnsServer, type TestDnsServer } from '../harness/dns-server.ts'
import {
  freePort,
  postfixUnavailable,
  startPostfix,
  type PostfixInstance,
} from '../harness/postfix-instance.ts'
import { startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { readMailbox } from '../harness/store-reader.ts'
import { SmtpClient, makeMessage } from '../harness/smtp-client.ts'

const unavailable = postfixUnavailable()
const PEER_HOST = '127.0.0.7'

let dns: TestDnsServer
let certDir: string
let pf: PostfixInstance
let postern: PosternProcess

before(async () => {
  if (unavailable !== undefined) return
  dns = await startDnsServer({
    records: {
      'peer.test': [{ type: 'MX', data: { preference: 10, exchange: 'mx.peer.test' } }],
      'mx.peer.test': [{ type: 'A', data: PEER_HOST }],
    },
  })
  certDir = mkdtempSync(join(tmpdir(), 'postern-pfcert-'))
  const certPath = join(certDir, 'cert.pem')
  const keyPath = join(certDir, 'key.pem')
  await writeSelfSignedCertificate({ hostname: 'mx.peer.test', certPath, keyPath })
  // Each needs the other's port: Postfix's is chosen first.
  const pfPort = await freePort(PEER_HOST)
  postern = await startPosternProcess({
    hostname: 'mx.example.test',
    users: [{ address: 'alice@example.test', password: 'a fine password' }],
    env: {
      POSTERN_DNS_SERVERS: dns.address,
      POSTERN_SMTP_TRUSTED_NETWORKS: '127.0.0.0/8',
      POSTERN_OUTBOUND_PORT: String(pfPort),
      POSTERN_OUTBOUND_MTA_STS: 'false',
    },
  })
  pf = await startPostfix({
    host: PEER_HOST,
    port: pfPort,
    domain: 'peer.test',
    users: ['bob', 'carol', 'dave'],
    hostname: 'mx.peer.test',
    tls: { certPath, keyPath },
    relayhost: `[127.0.0.1]:${String(postern.smtpPort)}`,
  })
})

after(async () => {
  if (unavailable !== undefined) return
  await pf.stop()
  await postern.cleanup()
  await dns.close()
  rmSync(certDir, { recursive: true, force: true })
})

test(
  'Postern transport → Postfix: STARTTLS, per-recipient replies, dot-stuffing, reuse',
  { skip: unavailable },
  async (t) => {
    const transport = createSmtpTransport({
      resolver: createNetworkResolver({ servers: [dns.address], timeoutMs: 2000 }),
      hostname: 'postern.test',
      port: pf.port,
      families: [4],
      mtaSts: false,
      timeouts: {
        connectMs: 5000,
        commandMs: 10_000,
        dataInitMs: 10_000,
        dataBlockMs: 10_000,
        dataEndMs: 10_000,
      },
    })
    t.after(() => transport.close())
    const message = Buffer.from(
      makeMessage({
        id: 'pf1',
        from: 'alice@postern.test',
        to: 'bob@peer.test',
        body: 'line one\r\n.leading dot\r\n..two dots',
      }),
    )
    const out = await transport.deliver({
      domain: 'peer.test',
      mailFrom: 'alice@postern.test',
      recipients: [
        { id: 1, address: 'bob@peer.test', notify: ['FAILURE'] },
        { id: 2, address: 'carol@peer.test' },
        { id: 3, address: 'nobody@peer.test' },
      ],
      message,
      envid: 'pf-1',
      ret: 'HDRS',
    })
    assert.deepEqual(
      out.recipients.map((r) => [r.id, r.kind, r.reply.code]),
      [
        [1, 'delivered', 250],
        [2, 'delivered', 250],
        [3, 'permanent', 550],
      ],
      out.log.join('\n'),
    )
    assert.equal(out.recipients[2]?.reply.enhanced, '5.1.1')
    assert.equal(out.recipients[0]?.remoteHost, `mx.peer.test [${PEER_HOST}]`)
    assert.ok(
      out.log.some((l) => l.startsWith('TLS ')),
      'STARTTLS with Postfix',
    )
    const bob = (await pf.waitForMail('bob', 1))[0] ?? ''
    assert.ok(bob.includes('Subject: test pf1'))
    assert.ok(bob.includes('\n.leading dot\n'), 'dot-stuffing undone by Postfix')
    assert.ok(bob.includes('\n..two dots'))
    assert.match(bob, /Received: from postern\.test [^]*?with ESMTPS/)
    await pf.waitForMail('carol', 1)
    // The second message rides the same connection.
    const again = await transport.deliver({
      domain: 'peer.test',
      mailFrom: 'alice@postern.test',
      recipients: [{ id: 4, address: 'bob@peer.test' }],
      message: Buffer.from(makeMessage({ id: 'pf2', to: 'bob@peer.test' })),
    })
    assert.equal(again.recipients[0]?.kind, 'delivered')
    assert.ok(again.log.some((l) => l.includes('reusing connection')))
    await pf.waitForMail('bob', 2)
  },
)

test(
  "Postfix → Postern: relayhost is Postern's mx listener; the message lands in the mailbox",
  { skip: unavailable },
  async () => {
    const c = await SmtpClient.connect(pf.port, { host: PEER_HOST })
    await c.transact(250, 'EHLO injector.peer.test')
    const reply = await c.sendMail(
      'bob@peer.test',
      ['alice@example.test'],
      makeMessage({
        id: 'relay1',
        from: 'bob@peer.test',
        to: 'alice@example.test',
        domain: 'peer.test',
      }),
    )
    assert.equal(reply.code, 250)
    await c.quit()
    const deadline = Date.now() + 20_000
    let raw = ''
    for (;;) {
      const inbox = readMailbox(postern.dataDir, 'alice@example.test')
      const found = inbox.messages.find((m) => m.raw.toString().includes('Subject: test relay1'))
      if (found) {
        raw = found.raw.toString()
        break
      }
      if (Date.now() > deadline) assert.fail(`not delivered to Postern; Postfix log:\n${pf.log()}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    // Postern's Received header names Postfix's EHLO; Postfix's own Received is below it.
    assert.match(raw, /Received: from mx\.peer\.test/)
    assert.match(raw, /by mx\.peer\.test \(Postfix\)/)
    // Postfix logs the delivery after Postern's 250, so that line may come a little later.
    const sent = /relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+.*status=sent/
    for (let i = 0; i < 100 && !sent.test(pf.log()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.match(pf.log(), sent)
  },
)

test(
  'Postern queue → transport → Postfix: a relayed message reaches the peer Maildir',
  { skip: unavailable },
  async () => {
    const c = await SmtpClient.connect(postern.smtpPort)
    await c.transact(250, 'EHLO client.example.test')
    const reply = await c.sendMail(
      'alice@example.test',
      ['dave@peer.test'],
      makeMessage({ id: 'queued1', from: 'alice@example.test', to: 'dave@peer.test' }),
    )
    assert.equal(reply.code, 250)
    await c.quit()
    const dave = (await pf.waitForMail('dave', 1, 20_000))[0] ?? ''
    assert.ok(dave.includes('Subject: test queued1'))
    assert.match(dave, /Received: from mx\.example\.test [^]*?with ESMTPS/)
  },
)
