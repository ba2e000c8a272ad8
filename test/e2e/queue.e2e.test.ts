// The outbound queue end to end: a spawned Postern (submission listener, DNS from a server on
// loopback the test starts) sends through the real SMTP transport to a scripted SMTP server.
// b.test's first MX refuses connections (nothing listens there), so the second one is used;
// 451 then 250 is retried and delivered; 550 5.1.1 bounces with a DSN in alice's INBOX, puts
// the address on the suppression list and the next submission to it is refused at RCPT; a
// slow-down reply (421) pauses the domain; a null MX domain bounces at once. The queue CLI
// shows it all. The sink listens on a random 127/8 address and port (outbound.port points there).
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  freePort,
  runPostern,
  startPosternProcess,
  type PosternProcess,
} from '../harness/postern-process.ts'
import { startDnsServer, type TestDnsServer } from '../harness/dns-server.ts'
import {
  startScriptedSmtpServer,
  type ScriptedSmtpServer,
} from '../harness/scripted-smtp-server.ts'
import { SmtpClient, makeMessage } from '../harness/smtp-client.ts'
import { readMailbox } from '../harness/store-reader.ts'
import { dkimRecordsInDataDir, verifyWithMailauth } from '../harness/dkim-check.ts'

const ALICE = 'alice@a.test'
const PASSWORD = 'alice secret'

async function waitFor(
  what: string,
  fn: () => boolean | Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await fn()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('outbound queue through the SMTP transport', { timeout: 120_000 }, () => {
  let srv: PosternProcess
  let dns: TestDnsServer
  let sink: ScriptedSmtpServer
  let submissionPort: number
  const net = `127.${String(randomInt(100, 250))}.${String(randomInt(1, 250))}`
  const seen = new Map<string, number>()

  before(async () => {
    sink = await startScriptedSmtpServer({
      host: `${net}.2`,
      hostname: 'mx2.b.test',
      on: {
        RCPT: (c) => {
          const a = c.address ?? ''
          const n = (seen.get(a) ?? 0) + 1
          seen.set(a, n)
          if (a.startsWith('ghost@')) return '550 5.1.1 <ghost@b.test>: no such user'
          if (a.startsWith('retry@') && n === 1) return '451 4.3.0 greylisted, try again'
          if (a.startsWith('slow@') && n === 1) return '421 4.7.0 too many messages, slow down'
          return undefined
        },
      },
    })
    dns = await startDnsServer({
      records: {
        'b.test': [
          { type: 'MX', data: { preference: 10, exchange: 'mx1.b.test' } },
          { type: 'MX', data: { preference: 20, exchange: 'mx2.b.test' } },
        ],
        'mx1.b.test': [{ type: 'A', data: `${net}.1` }], // nothing listens: refused
        'mx2.b.test': [{ type: 'A', data: `${net}.2` }],
        'null.test': [{ type: 'MX', data: { preference: 0, exchange: '.' } }], // RFC 7505
      },
    })
    submissionPort = await freePort()
    srv = await startPosternProcess({
      domain: 'a.test',
      users: [{ address: ALICE, password: PASSWORD }],
      env: {
        POSTERN_LISTEN_SUBMISSION: `127.0.0.1:${String(submissionPort)}`,
        POSTERN_DNS_SERVERS: dns.address,
        POSTERN_OUTBOUND_PORT: String(sink.port),
        POSTERN_OUTBOUND_MTA_STS: 'false',
        POSTERN_QUEUE_RETRY_SCHEDULE_S: '1',
        POSTERN_QUEUE_SLOWDOWN_PAUSE_S: '3',
        POSTERN_QUEUE_POLL_INTERVAL_MS: '200',
      },
    })
  })
  after(async () => {
    await (srv as PosternProcess | undefined)?.cleanup()
    await (sink as ScriptedSmtpServer | undefined)?.close()
    await (dns as TestDnsServer | undefined)?.close()
  })

  async function submit(to: string, id: string): Promise<SmtpClient> {
    const c = await SmtpClient.connect(submissionPort)
    await c.transact(250, 'EHLO client.a.test')
    const token = Buffer.from(`\0${ALICE}\0${PASSWORD}`).toString('base64')
    await c.transact(235, `AUTH PLAIN ${token}`)
    const r = await c.sendMail(ALICE, [to], makeMessage({ id, from: ALICE, to, domain: 'a.test' }))
    assert.equal(r.code, 250, r.lines.join('\n'))
    return c
  }

  async function queueShow(address: string): Promise<string> {
    const list = await runPostern(['queue', 'list', '--all', '--data', srv.dataDir])
    const line = list.stdout.split('\n').find((l) => l.includes(address))
    const id = line?.split(/\s+/)[0] ?? ''
    const shown = await runPostern(['queue', 'show', id, '--data', srv.dataDir])
    return shown.stdout
  }

  test('451 then 250: retried and delivered through the second MX; history shows both', async () => {
    const c = await submit('retry@b.test', 'retry-1')
    await c.quit()
    await waitFor('delivery', () => sink.messages.some((m) => m.rcpts.includes('retry@b.test')))
    assert.equal(sink.messages.filter((m) => m.rcpts.includes('retry@b.test')).length, 1)
    assert.equal(seen.get('retry@b.test'), 2)
    await waitFor('history', async () => /delivered/.test(await queueShow('retry@b.test')))
    const shown = await queueShow('retry@b.test')
    assert.match(shown, /deferred\s+retry@b\.test\s+451 4\.3\.0 greylisted/)
    assert.match(shown, /delivered\s+retry@b\.test\s+250/)
    // mx1 (preference 10) refuses connections: the delivery went through mx2.
    assert.match(shown, /delivered\s+retry@b\.test\s+250.*\[mx2\.b\.test/)
    assert.match(shown, /attempt 2 to b\.test/)
  })

  test("550 5.1.1: DSN in alice's INBOX, suppressed, next submission refused at RCPT", async () => {
    const c = await submit('ghost@b.test', 'ghost-1')
    await c.quit()
    await waitFor('DSN', () => readMailbox(srv.dataDir, ALICE).messages.length >= 1)
    const dsn = readMailbox(srv.dataDir, ALICE)
      .messages.map((m) => m.raw.toString())
      .find((t) => t.includes('ghost@b.test'))
    assert.ok(dsn)
    assert.match(dsn, /report-type=delivery-status/)
    assert.match(dsn, /Final-Recipient: rfc822; ghost@b\.test/)
    assert.match(dsn, /Action: failed/)
    assert.match(dsn, /Status: 5\.1\.1/)
    assert.match(dsn, /Diagnostic-Code: smtp; 550 5\.1\.1 <ghost@b\.test>: no such user/)
    assert.match(dsn, /Message-ID: <ghost-1@a\.test>/)
    // From MAILER-DAEMON@mx.a.test: DKIM-signed d=a.test with the keys init wrote.
    assert.match(dsn, /^DKIM-Signature:[^]*d=a\.test;/)
    const records = dkimRecordsInDataDir(srv.dataDir, 'a.test')
    assert.deepEqual(await verifyWithMailauth(Buffer.from(dsn), records), [
      ['rsa-sha256', 'pass'],
      ['ed25519-sha256', 'pass'],
    ])
    const list = await runPostern(['suppression', 'list', '--data', srv.dataDir])
    assert.match(list.stdout, /ghost@b\.test .* no such user\s+550 5\.1\.1/)
    const again = await SmtpClient.connect(submissionPort)
    await again.transact(250, 'EHLO client.a.test')
    await again.transact(
      235,
      `AUTH PLAIN ${Buffer.from(`\0${ALICE}\0${PASSWORD}`).toString('base64')}`,
    )
    await again.transact(250, `MAIL FROM:<${ALICE}>`)
    const refused = await again.command('RCPT TO:<ghost@b.test>')
    assert.equal(refused.code, 550)
    assert.match(refused.lines.join(' '), /5\.1\.1 .*suppression list/)
    await again.quit()
    const removed = await runPostern([
      'suppression',
      'remove',
      'ghost@b.test',
      '--data',
      srv.dataDir,
    ])
    assert.equal(removed.code, 0, removed.stderr)
  })

  test('a slow-down reply defers and pauses the domain', async () => {
    const c = await submit('slow@b.test', 'slow-1')
    await c.quit()
    await waitFor('delivery after the pause', () =>
      sink.messages.some((m) => m.rcpts.includes('slow@b.test')),
    )
    const rcpts = sink.commands('RCPT').filter((r) => r.line.includes('slow@b.test'))
    assert.equal(rcpts.length, 2)
    const gap = (rcpts[1]?.at ?? 0) - (rcpts[0]?.at ?? 0)
    assert.ok(
      gap >= 2900,
      `retried after the domain pause (3 s), not the 1 s schedule: ${String(gap)} ms`,
    )
    assert.match(await queueShow('slow@b.test'), /deferred\s+slow@b\.test\s+421 4\.7\.0/)
  })

  test('null MX: bounced at once with a DSN, never retried', async () => {
    const before = readMailbox(srv.dataDir, ALICE).messages.length
    const c = await submit('x@null.test', 'null-1')
    await c.quit()
    await waitFor('DSN', () => readMailbox(srv.dataDir, ALICE).messages.length > before)
    const shown = await queueShow('x@null.test')
    assert.match(shown, /x@null\.test\s+bounced\s+1/)
    assert.match(shown, /dsn-sent/)
    const dsn = readMailbox(srv.dataDir, ALICE).messages.at(-1)?.raw.toString() ?? ''
    assert.match(dsn, /Final-Recipient: rfc822; x@null\.test/)
    assert.match(dsn, /Status: 5\.1\.10|Status: 5\./)
  })
})
