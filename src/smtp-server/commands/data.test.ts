import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  startTestServer,
  SmtpTranscript,
  mailboxContents,
} from '../../../test/harness/smtp-transcript.ts'

test('DATA stores the message, unstuffed, with a Received header, before the 250', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.begin()
  await s.transact(354, 'DATA')
  s.raw('Subject: hi\r\n\r\n..leading dot\r\nline 2\r\n.\r\n')
  await s.expect(250, /2\.0\.0 OK, queued as /)
  const [msg] = await mailboxContents(srv.store, 'alice@example.test')
  assert.ok(msg)
  assert.equal(msg.uid, 1)
  assert.match(
    msg.body,
    /^Received: from client\.example \(\[127\.0\.0\.1\]\)\r\n\tby mx\.example\.test \(Postern\) with ESMTP id \S+\r\n\tfor <alice@example\.test>;\r\n\t\w{3}, /,
  )
  assert.ok(msg.body.endsWith('Subject: hi\r\n\r\n.leading dot\r\nline 2\r\n'))
  s.close()
  await srv.close()
})

test('DATA without recipients is refused; an empty message is accepted', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(503, 'DATA')
  await s.transact(250, 'MAIL FROM:<>')
  await s.transact(554, 'DATA', /no valid recipients/)
  await s.transact(250, 'RCPT TO:<alice@example.test>')
  await s.transact(354, 'DATA')
  await s.transact(250, '.')
  const [msg] = await mailboxContents(srv.store, 'alice@example.test')
  assert.match(msg?.body ?? '', /^Received: .*;\r\n\t.*\+0000\r\n$/s)
  s.close()
  await srv.close()
})

test('a message exactly at the size limit is accepted, one byte more is refused', async () => {
  const limit = 4096
  const srv = await startTestServer({ settings: { maxMessageBytes: limit } })
  const s = await SmtpTranscript.open(srv.port)
  const header = 'Subject: size\r\n\r\n'
  const exact = header + 'x'.repeat(limit - header.length - 2) + '\r\n'
  assert.equal(exact.length, limit)
  await s.begin()
  await s.transact(354, 'DATA')
  s.raw(`${exact}.\r\n`)
  await s.expect(250)
  await s.transact(250, 'MAIL FROM:<a@remote.example>')
  await s.transact(250, 'RCPT TO:<alice@example.test>')
  await s.transact(354, 'DATA')
  s.raw(`x${exact}.\r\n`)
  await s.expect(552, /5\.3\.4/)
  // The session is still in step: a new transaction works.
  await s.transact(250, 'MAIL FROM:<a@remote.example>')
  assert.equal((await mailboxContents(srv.store, 'alice@example.test')).length, 1)
  s.close()
  await srv.close()
})

test('BDAT: chunks, LAST, pipelined in one packet', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.begin()
  const part1 = 'Subject: chunked\r\n\r\n'
  const part2 = 'a line\r\n.\r\nnot the end\r\n'
  s.raw(`BDAT ${part1.length}\r\n${part1}BDAT ${part2.length} LAST\r\n${part2}`)
  await s.expect(250, new RegExp(`${part1.length} octets`))
  await s.expect(250, /queued as/)
  const [msg] = await mailboxContents(srv.store, 'alice@example.test')
  assert.ok(msg?.body.endsWith(part1 + part2))
  s.close()
  await srv.close()
})

test('BDAT without a transaction is read and refused; DATA after BDAT is refused', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  s.raw('BDAT 12\r\nQUIT\r\nQUIT\r\n')
  await s.expect(503)
  await s.transact(250, 'NOOP')
  await s.transact(250, 'MAIL FROM:<a@remote.example>')
  await s.transact(250, 'RCPT TO:<alice@example.test>')
  s.raw('BDAT 4\r\nabcd')
  await s.expect(250)
  await s.transact(503, 'DATA', /BDAT/)
  s.raw('BDAT 0 LAST\r\n')
  await s.expect(250, /queued/)
  const [msg] = await mailboxContents(srv.store, 'alice@example.test')
  assert.ok(msg?.body.endsWith('\r\nabcd'))
  s.close()
  await srv.close()
})

test('BDAT over the size limit is refused with 552 and the session stays in step', async () => {
  const srv = await startTestServer({ settings: { maxMessageBytes: 2048 } })
  const s = await SmtpTranscript.open(srv.port)
  await s.begin()
  s.raw(`BDAT 2000\r\n${'y'.repeat(2000)}`)
  await s.expect(250)
  s.raw(`BDAT 100 LAST\r\n${'z'.repeat(100)}`)
  await s.expect(552, /5\.3\.4/)
  await s.transact(250, 'NOOP')
  assert.equal((await mailboxContents(srv.store, 'alice@example.test')).length, 0)
  s.close()
  await srv.close()
})

test('a looping message (too many Received headers) is refused with 554 5.4.6', async () => {
  const srv = await startTestServer({ settings: { maxReceivedHeaders: 5 } })
  const s = await SmtpTranscript.open(srv.port)
  await s.begin()
  await s.transact(354, 'DATA')
  s.raw(`${'Received: from x by y; now\r\n'.repeat(6)}\r\nbody\r\n.\r\n`)
  await s.expect(554, /5\.4\.6/)
  s.close()
  await srv.close()
})

test('pipelined transactions get their replies in order', async () => {
  const srv = await startTestServer()
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  s.raw(
    'MAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nDATA\r\n',
  )
  await s.expect(250)
  await s.expect(250)
  await s.expect(550)
  await s.expect(354)
  s.raw(
    'Subject: one\r\n\r\n1\r\n.\r\nMAIL FROM:<b@remote.example>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n',
  )
  await s.expect(250)
  await s.expect(250)
  await s.expect(250)
  await s.expect(354)
  s.raw('Subject: two\r\n\r\n2\r\n.\r\nQUIT\r\n')
  await s.expect(250)
  await s.expect(221)
  await s.expectClosed()
  assert.equal((await mailboxContents(srv.store, 'alice@example.test')).length, 1)
  assert.equal((await mailboxContents(srv.store, 'bob@example.test')).length, 1)
  await srv.close()
})
