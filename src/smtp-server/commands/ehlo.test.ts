import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestServer, SmtpTranscript } from '../../../test/harness/smtp-transcript.ts'

test('EHLO lists the extensions, STARTTLS only before TLS', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  const reply = await s.transact(250, 'EHLO client.example')
  assert.match(reply.lines[0] ?? '', /^250-mx\.example\.test Hello client\.example/)
  for (const ext of [
    'PIPELINING',
    'SIZE 1048576',
    '8BITMIME',
    'SMTPUTF8',
    'ENHANCEDSTATUSCODES',
    'CHUNKING',
    'DSN',
    'STARTTLS',
  ]) {
    assert.ok(
      reply.lines.some((l) => l.slice(4) === ext),
      `missing ${ext}`,
    )
  }
  await s.transact(220, 'STARTTLS')
  await s.upgrade()
  const after = await s.transact(250, 'EHLO client.example')
  assert.ok(!after.lines.some((l) => l.includes('STARTTLS')))
  s.close()
  await srv.close()
})

test('HELO and EHLO need an argument; HELO answers in one line', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(501, 'HELO')
  await s.transact(501, 'EHLO')
  const helo = await s.transact(250, 'HELO myself')
  assert.equal(helo.lines.length, 1)
  s.close()
  await srv.close()
})

test('EHLO resets a transaction in progress', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.begin()
  await s.transact(250, 'EHLO again.example')
  await s.transact(503, 'DATA')
  s.close()
  await srv.close()
})
