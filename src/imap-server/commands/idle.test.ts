// Transcripts for IDLE: a delivery (as over SMTP, store.accept) and another session's changes
// reach an idling session at once (RFC 2177; RFC 9051 6.3.13).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ImapTranscript,
  message,
  startImapTestServer,
} from '../../../test/harness/imap-transcript.ts'

void test('IDLE: delivery, flag change and expunge are pushed at once; DONE completes', async () => {
  const srv = await startImapTestServer()
  try {
    await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const other = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const tag = c.send('IDLE')
    assert.equal(await c.readLine(), '+ idling')
    // Nothing is sent while idling, so the EXISTS can only arrive by push; the wait bounds a
    // broken server, it is not a timing claim (a loaded CI machine once took 108 ms).
    await srv.deliver('alice@example.test', message({ subject: 'new' }))
    await c.expectUntagged('* 2 EXISTS', 5000)
    await other.transact('ok', 'STORE 1 +FLAGS (\\Flagged \\Deleted)')
    await c.expectUntagged('* 1 FETCH (UID 1 FLAGS (\\Flagged \\Deleted))', 5000)
    await other.transact('ok', 'EXPUNGE')
    await c.expectUntagged('* 1 EXPUNGE', 5000)
    c.raw('DONE\r\n')
    const r = await c.response(tag)
    assert.match(r.tagged, /^A3 OK IDLE terminated/)
    await c.transact('ok', 'NOOP')
    c.close()
    other.close()
  } finally {
    await srv.close()
  }
})
