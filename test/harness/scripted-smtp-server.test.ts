// The scripted SMTP server answers from its script, records commands and messages, batches
// pipelined commands and upgrades to TLS.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SmtpClient } from './smtp-client.ts'
import { startScriptedSmtpServer } from './scripted-smtp-server.ts'
import { writeSelfSignedCertificate } from '../../src/tls/self-signed.ts'

test('default answers, recorded message with dot-stuffing removed, timestamps', async () => {
  let now = 1000
  const srv = await startScriptedSmtpServer({ host: '127.0.0.2', clock: () => now })
  try {
    const c = await SmtpClient.connect(srv.port, { host: '127.0.0.2' })
    assert.equal(c.greeting?.code, 220)
    const ehlo = await c.transact(250, 'EHLO client.test')
    assert.ok(ehlo.lines.includes('PIPELINING'))
    await c.transact(250, 'MAIL FROM:<a@x.test> BODY=8BITMIME RET=HDRS')
    await c.transact(250, 'RCPT TO:<b@y.test> NOTIFY=FAILURE')
    await c.transact(354, 'DATA')
    now = 2000
    await c.transact(250, 'Subject: t\r\n\r\n..dot\r\nend\r\n.')
    await c.quit()
    const m = (await srv.waitForMessages(1))[0]
    assert.ok(m)
    assert.equal(m.mailFrom, 'a@x.test')
    assert.deepEqual(m.mailParams, { BODY: '8BITMIME', RET: 'HDRS' })
    assert.deepEqual(m.rcpts, ['b@y.test'])
    assert.deepEqual(m.rcptParams, [{ NOTIFY: 'FAILURE' }])
    assert.equal(m.data.toString(), 'Subject: t\r\n\r\n.dot\r\nend\r\n')
    assert.equal(m.at, 2000)
    assert.equal(srv.connections[0]?.remoteAddress, '127.0.0.1')
    assert.equal(srv.connections[0].helo, 'client.test')
  } finally {
    await srv.close()
  }
})

test('scripts by count and address; pipelined commands share a batch; close action', async () => {
  const srv = await startScriptedSmtpServer({
    on: {
      RCPT: (c) => {
        if (c.address === 'bad@y.test') return '550 5.1.1 no such user'
        return c.count === 1 ? '451 4.3.0 try later' : undefined
      },
      DOT: () => ({ reply: '421 4.7.0 slow down', close: true }),
    },
  })
  try {
    const c = await SmtpClient.connect(srv.port)
    await c.transact(250, 'EHLO client.test')
    c.write('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<bad@y.test>\r\n')
    assert.equal((await c.read()).code, 250)
    assert.equal((await c.read()).code, 451)
    const bad = await c.read()
    assert.equal(bad.code, 550)
    assert.equal(bad.enhanced, '5.1.1')
    await c.transact(250, 'RCPT TO:<b@y.test>')
    await c.transact(354, 'DATA')
    await c.transact(421, 'x\r\n.')
    assert.equal(await c.waitClose(2000), true)
    const [mail, r1, r2] = srv.commands().filter((x) => x.verb === 'MAIL' || x.verb === 'RCPT')
    assert.equal(mail?.batch, r1?.batch)
    assert.equal(mail?.batch, r2?.batch)
    assert.equal(srv.messages.length, 0, 'a 4xx at the dot is not an accepted message')
  } finally {
    await srv.close()
  }
})

test('STARTTLS upgrade resets the session; messages record tls', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'postern-scripted-'))
  try {
    const certPath = join(dir, 'cert.pem')
    const keyPath = join(dir, 'key.pem')
    await writeSelfSignedCertificate({ hostname: 'mx.example.test', certPath, keyPath })
    const srv = await startScriptedSmtpServer({
      tls: { cert: readFileSync(certPath), key: readFileSync(keyPath) },
    })
    try {
      const c = await SmtpClient.connect(srv.port)
      const ehlo = await c.transact(250, 'EHLO client.test')
      assert.ok(ehlo.lines.includes('STARTTLS'))
      await c.starttls()
      const again = await c.transact(250, 'EHLO client.test')
      assert.ok(!again.lines.includes('STARTTLS'))
      const reply = await c.sendMail('a@x.test', ['b@y.test'], 'Subject: x\r\n\r\nhi\r\n')
      assert.equal(reply.code, 250)
      assert.equal(srv.messages[0]?.tls, true)
      await c.quit()
    } finally {
      await srv.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
