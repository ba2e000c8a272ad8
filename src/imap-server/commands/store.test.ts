// Transcripts for STORE and UID STORE, with a second session watching (RFC 9051 6.4.6,
// 7.4.1; RFC 7162 3.1.3 UNCHANGEDSINCE and [MODIFIED]).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ImapTranscript,
  message,
  startImapTestServer,
} from '../../../test/harness/imap-transcript.ts'

void test('STORE +FLAGS/-FLAGS/FLAGS, .SILENT, UID STORE; the other session sees FETCH FLAGS', async () => {
  const srv = await startImapTestServer()
  try {
    for (let i = 0; i < 2; i++) await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const c2 = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const r = await c.transact('ok', 'STORE 1 +FLAGS (\\Seen $Label1)')
    assert.deepEqual(r.untagged, ['* 1 FETCH (FLAGS (\\Seen $Label1))'])
    const s = await c.transact('ok', 'STORE 1 -FLAGS.SILENT ($Label1)')
    assert.deepEqual(s.untagged, [])
    const u = await c.transact('ok', 'UID STORE 2 FLAGS (\\Flagged)')
    assert.deepEqual(u.untagged, ['* 2 FETCH (UID 2 FLAGS (\\Flagged))'])
    const seen = await c2.transact('ok', 'NOOP')
    assert.deepEqual(seen.untagged, [
      '* 1 FETCH (UID 1 FLAGS (\\Seen))',
      '* 2 FETCH (UID 2 FLAGS (\\Flagged))',
    ])
    c.close()
    c2.close()
  } finally {
    await srv.close()
  }
})

void test('STORE (UNCHANGEDSINCE n) answers [MODIFIED] for changed messages', async () => {
  const srv = await startImapTestServer()
  try {
    for (let i = 0; i < 2; i++) await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const f = await c.transact('ok', 'FETCH 1:2 (MODSEQ)')
    const m1 = /MODSEQ \((\d+)\)/.exec(f.untagged[0] ?? '')?.[1] ?? ''
    await c.transact('ok', 'STORE 2 +FLAGS.SILENT (\\Answered)')
    const r = await c.transact('ok', `STORE 1:2 (UNCHANGEDSINCE ${m1}) +FLAGS (\\Seen)`)
    c.expectCode('MODIFIED 2')
    assert.equal(r.untagged.length, 1)
    assert.match(r.untagged[0] ?? '', /^\* 1 FETCH \(FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/)
    c.close()
  } finally {
    await srv.close()
  }
})
