// Transcripts for COPY, MOVE and their UID forms, with a second session watching
// (RFC 9051 6.4.7, 6.4.8; RFC 4315 COPYUID; RFC 6851 MOVE).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ImapTranscript,
  message,
  startImapTestServer,
} from '../../../test/harness/imap-transcript.ts'

void test('UID COPY answers COPYUID; a missing target is TRYCREATE; the watcher sees EXISTS', async () => {
  const srv = await startImapTestServer()
  try {
    for (let i = 0; i < 2; i++) await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const c2 = await ImapTranscript.login(srv.port, 'alice@example.test', 'Trash')
    await c.transact('ok', 'UID COPY 1:2 Trash')
    const validity = /COPYUID (\d+) /.exec(c.last.tagged)?.[1] ?? ''
    c.expectCode(`COPYUID ${validity} 1:2 1:2`)
    await c.transact('no', 'COPY 1 Nowhere')
    c.expectCode('TRYCREATE')
    const n = await c2.transact('ok', 'NOOP')
    assert.deepEqual(n.untagged, ['* 2 EXISTS', '* 0 RECENT'])
    c.close()
    c2.close()
  } finally {
    await srv.close()
  }
})

void test('MOVE sends COPYUID then EXPUNGE; the other session of the source sees EXPUNGE', async () => {
  const srv = await startImapTestServer()
  try {
    for (let i = 0; i < 3; i++) await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const c2 = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const r = await c.transact('ok', 'MOVE 2:3 Archive')
    assert.match(r.untagged[0] ?? '', /^\* OK \[COPYUID \d+ 2:3 1:2\]/)
    assert.deepEqual(r.untagged.slice(1), ['* 2 EXPUNGE', '* 2 EXPUNGE'])
    // RFC 9051 7.4.1: no EXPUNGE while the client may rely on numbers (FETCH, STORE, SEARCH).
    const f = await c2.transact('ok', 'FETCH 1 (UID)')
    assert.deepEqual(f.untagged, ['* 1 FETCH (UID 1)'])
    const s = await c2.transact('ok', 'SEARCH ALL')
    assert.deepEqual(s.untagged, ['* SEARCH 1 2 3'])
    const n = await c2.transact('ok', 'NOOP')
    assert.deepEqual(n.untagged, ['* 2 EXPUNGE', '* 2 EXPUNGE'])
    await c.transact('ok', 'UID MOVE 1 Trash')
    assert.equal(c.last.untagged.at(-1), '* 1 EXPUNGE')
    c.close()
    c2.close()
  } finally {
    await srv.close()
  }
})
