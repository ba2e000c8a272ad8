// Transcripts for APPEND: APPENDUID, flags and date, LITERAL+, TRYCREATE, APPENDLIMIT and
// quota, GETQUOTAROOT (RFC 9051 6.3.12; RFC 4315; RFC 7888; RFC 7889; RFC 9208).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ImapTranscript,
  message,
  startImapTestServer,
} from '../../../test/harness/imap-transcript.ts'

void test('APPEND with flags and date answers APPENDUID; the selected session sees EXISTS', async () => {
  const srv = await startImapTestServer()
  try {
    const c = await ImapTranscript.login(srv.port)
    const c2 = await ImapTranscript.login(srv.port, 'alice@example.test', 'Drafts')
    const raw = message({ subject: 'draft' })
    const tag = c.send(
      `APPEND Drafts (\\Draft \\Seen) "05-Jan-2024 10:00:00 +0100" {${raw.length}}`,
    )
    assert.equal(await c.readLine(), '+ Ready')
    c.raw(`${raw}\r\n`)
    const r = await c.response(tag)
    assert.match(r.tagged, /^A2 OK \[APPENDUID \d+ 1\]/)
    await c.transact('ok', `APPEND Drafts {${raw.length}+}\r\n${raw}`) // LITERAL+
    assert.match(c.last.tagged, /APPENDUID \d+ 2\]/)
    await c.transact('no', `APPEND Nowhere {${raw.length}+}\r\n${raw}`)
    c.expectCode('TRYCREATE')
    const n = await c2.transact('ok', 'NOOP')
    assert.equal(n.untagged[0], '* 2 EXISTS')
    const f = await c2.transact('ok', 'FETCH 1 (FLAGS INTERNALDATE)')
    assert.equal(
      f.untagged[0],
      '* 1 FETCH (FLAGS (\\Draft \\Seen) INTERNALDATE "05-Jan-2024 09:00:00 +0000")',
    )
    c.close()
    c2.close()
  } finally {
    await srv.close()
  }
})

void test('APPEND over APPENDLIMIT is refused before the literal is read; quota', async () => {
  const srv = await startImapTestServer({ settings: { maxLiteralBytes: 1000 }, quotaBytes: 2048 })
  try {
    const c = await ImapTranscript.login(srv.port)
    const caps = await c.transact('ok', 'CAPABILITY')
    assert.match(caps.untagged[0] ?? '', /APPENDLIMIT=1000/)
    c.raw('A9 APPEND INBOX {5000}\r\n')
    assert.match(await c.readLine(), /^A9 NO \[TOOBIG\]/)
    const body = message({ body: 'y'.repeat(700) })
    await c.transact('ok', `APPEND INBOX {${body.length}+}\r\n${body}`)
    await c.transact('ok', `APPEND INBOX {${body.length}+}\r\n${body}`)
    await c.transact('no', `APPEND INBOX {${body.length}+}\r\n${body}`)
    c.expectCode('OVERQUOTA')
    const q = await c.transact('ok', 'GETQUOTAROOT INBOX')
    assert.deepEqual(q.untagged, ['* QUOTAROOT "INBOX" ""', '* QUOTA "" (STORAGE 2 2)'])
    c.close()
  } finally {
    await srv.close()
  }
})
