// Transcripts for EXPUNGE and UID EXPUNGE, with a second session watching (RFC 9051 6.4.3,
// 7.4.1; RFC 4315 2.1; RFC 7162 3.2.10 VANISHED).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ImapTranscript,
  message,
  startImapTestServer,
} from '../../../test/harness/imap-transcript.ts'

void test('EXPUNGE reports shifting numbers; UID EXPUNGE only the set; watcher with QRESYNC', async () => {
  const srv = await startImapTestServer()
  try {
    for (let i = 0; i < 5; i++) await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const c2 = await ImapTranscript.login(srv.port)
    await c2.transact('ok', 'ENABLE QRESYNC')
    await c2.transact('ok', 'SELECT INBOX')
    await c.transact('ok', 'STORE 2,4,5 +FLAGS.SILENT (\\Deleted)')
    const u = await c.transact('ok', 'UID EXPUNGE 4')
    assert.deepEqual(u.untagged, ['* 4 EXPUNGE'])
    const e = await c.transact('ok', 'EXPUNGE')
    assert.deepEqual(e.untagged, ['* 2 EXPUNGE', '* 3 EXPUNGE'])
    const n = await c2.transact('ok', 'NOOP')
    assert.equal(
      n.untagged.find((l) => l.startsWith('* VANISHED')),
      '* VANISHED 2,4:5',
    )
    const rest = await c.transact('ok', 'UID SEARCH ALL')
    assert.deepEqual(rest.untagged, ['* SEARCH 1 3'])
    await c.transact('ok', 'EXAMINE INBOX')
    await c.transact('no', 'EXPUNGE')
    c.close()
    c2.close()
  } finally {
    await srv.close()
  }
})
