// Shutdown and start-up failures: SIGTERM lets the transaction in progress finish (or
// answers 421), exits 0 and loses nothing that got 250; a taken port or an invalid config
// stops `serve` at once, non-zero, with a message that names the listener or the key.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { appendFile, rm } from 'node:fs/promises'
import { createServer, connect, type Server } from 'node:net'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import {
  freePort,
  initDataDir,
  runPostern,
  startPosternProcess,
} from '../harness/postern-process.ts'
import { SmtpClient, makeMessage } from '../harness/smtp-client.ts'
import { headerValue, readMailbox } from '../harness/store-reader.ts'

const USER = 'alice@example.test'
const START_FAIL_TIMEOUT_MS = 15_000

async function refusesConnections(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const sock = connect({ port, host: '127.0.0.1' })
    sock.once('connect', () => {
      sock.destroy()
      ok(false)
    })
    sock.once('error', () => {
      ok(true)
    })
  })
}

async function listenOn(port: number): Promise<Server> {
  const blocker = createServer()
  await new Promise<void>((ok) => blocker.listen(port, '127.0.0.1', ok))
  return blocker
}

describe('graceful shutdown', { timeout: 60_000 }, () => {
  test('SIGTERM mid-DATA: the transaction finishes (or gets 421), exit 0, 250 means stored', async (t) => {
    const srv = await startPosternProcess({
      users: [{ address: USER, password: 'pw' }],
      env: { POSTERN_SMTP_SHUTDOWN_GRACE_MS: '5000' },
    })
    t.after(() => srv.cleanup())
    // One message fully acknowledged before the signal, one in flight, one idle session.
    const done = await SmtpClient.connect(srv.smtpPort)
    await done.transact(250, 'EHLO client.test')
    const doneId = randomUUID()
    const r0 = await done.sendMail('s@client.test', [USER], makeMessage({ id: doneId, to: USER }))
    assert.equal(r0.code, 250)
    const idle = await SmtpClient.connect(srv.smtpPort)
    await idle.transact(250, 'EHLO idle.test')

    const s = await SmtpClient.connect(srv.smtpPort)
    await s.transact(250, 'EHLO client.test')
    await s.transact(250, 'MAIL FROM:<s@client.test>')
    await s.transact(250, `RCPT TO:<${USER}>`)
    await s.transact(354, 'DATA')
    const flightId = randomUUID()
    const msg = makeMessage({ id: flightId, to: USER, body: 'in flight\r\n' + 'z'.repeat(2000) })
    s.write(msg.slice(0, 200))

    const termAt = Date.now()
    srv.kill('SIGTERM')
    // Shutdown has begun once new connections are refused (bounded poll).
    while (!(await refusesConnections(srv.smtpPort)) && Date.now() - termAt < 5000) {
      await new Promise((r) => setTimeout(r, 20))
    }
    s.write(msg.slice(200) + '.\r\n')
    let reply: number
    try {
      reply = (await s.read()).code
    } catch {
      reply = 0 // closed without a reply
    }
    t.diagnostic(`in-flight message got ${reply || 'no reply'}`)
    assert.ok(reply === 250 || reply === 421, `in-flight transaction: ${reply}`)
    if (reply === 250) await s.quit()
    const idleClosed = await idle.waitClose(10_000)
    assert.ok(idleClosed, 'idle session closed during shutdown')
    const code = await srv.exited()
    assert.equal(code, 0, 'exit code 0 after SIGTERM')
    assert.ok(Date.now() - termAt < 15_000, 'exited within the grace period')

    const box = readMailbox(srv.dataDir, USER)
    const ids = box.messages.map((m) => headerValue(m.raw, 'Message-ID'))
    assert.equal(ids.filter((i) => i === `<${doneId}@client.test>`).length, 1)
    const flight = ids.filter((i) => i === `<${flightId}@client.test>`).length
    assert.equal(flight, reply === 250 ? 1 : 0, 'stored exactly when acknowledged')
  })
})

describe('start-up failures are immediate and named', { timeout: 60_000 }, () => {
  for (const listener of ['smtp', 'http'] as const) {
    test(`a taken ${listener} port: serve exits non-zero naming the listener`, async (t) => {
      const { root, data } = await initDataDir({})
      const [smtpPort, httpPort] = [await freePort(), await freePort()]
      const taken = listener === 'smtp' ? smtpPort : httpPort
      const blocker = await listenOn(taken)
      t.after(async () => {
        blocker.close()
        await rm(root, { recursive: true, force: true })
      })
      const started = Date.now()
      const r = await runPostern(['serve', '--data', data], {
        env: {
          POSTERN_LISTEN_SMTP: `127.0.0.1:${smtpPort}`,
          POSTERN_LISTEN_HTTP: `127.0.0.1:${httpPort}`,
        },
        timeoutMs: START_FAIL_TIMEOUT_MS,
      })
      const out = r.stdout + r.stderr
      assert.equal(r.signal, null, `serve did not exit by itself: ${out}`)
      assert.notEqual(r.code, 0, out)
      assert.ok(Date.now() - started < 10_000, 'exits at once')
      assert.ok(out.includes(`127.0.0.1:${taken}`) || out.includes(String(taken)), out)
      assert.match(out, new RegExp(listener, 'i'), out)
    })
  }

  test('an unknown key in postern.toml: exit non-zero naming the key', async (t) => {
    const { root, data } = await initDataDir({})
    t.after(() => rm(root, { recursive: true, force: true }))
    await appendFile(join(data, 'postern.toml'), '\n[bogus_section]\nfrobnicate = 1\n')
    const r = await runPostern(['serve', '--data', data], { timeoutMs: START_FAIL_TIMEOUT_MS })
    const out = r.stdout + r.stderr
    assert.equal(r.signal, null, out)
    assert.notEqual(r.code, 0, out)
    assert.match(out, /bogus_section/, out)
  })

  test('an invalid value from the environment: exit non-zero naming the key', async (t) => {
    const { root, data } = await initDataDir({})
    t.after(() => rm(root, { recursive: true, force: true }))
    const r = await runPostern(['serve', '--data', data], {
      env: {
        POSTERN_SMTP_MAX_RECIPIENTS: 'lots',
        POSTERN_LISTEN_SMTP: `127.0.0.1:${await freePort()}`,
        POSTERN_LISTEN_HTTP: `127.0.0.1:${await freePort()}`,
      },
      timeoutMs: START_FAIL_TIMEOUT_MS,
    })
    const out = r.stdout + r.stderr
    assert.equal(r.signal, null, out)
    assert.notEqual(r.code, 0, out)
    assert.match(out, /max_recipients|MAX_RECIPIENTS/, out)
  })
})
