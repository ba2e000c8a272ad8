// Transcripts for SELECT, EXAMINE (CONDSTORE, QRESYNC), CLOSE, UNSELECT, STATUS
// (RFC 9051 6.3.2, 6.3.3, 6.3.11, 6.4.1, 6.4.2; RFC 7162 3.2.5; RFC 8438).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ImapTranscript,
  message,
  startImapTestServer,
} from '../../../test/harness/imap-transcript.ts'

void test('SELECT reports FLAGS, EXISTS, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ; EXAMINE is read-only', async () => {
  const srv = await startImapTestServer()
  try {
    await srv.deliver('alice@example.test', message())
    await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port)
    const r = await c.transact('ok', 'SELECT INBOX')
    c.expectCode('READ-WRITE')
    const text = r.untagged.join('\n')
    assert.match(text, /^\* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)$/m)
    assert.match(text, /^\* 2 EXISTS$/m)
    assert.match(text, /^\* OK \[UIDVALIDITY \d+\]/m)
    assert.match(text, /^\* OK \[UIDNEXT 3\]/m)
    assert.match(text, /^\* OK \[HIGHESTMODSEQ \d+\]/m)
    assert.match(text, /PERMANENTFLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \\\*\)/)
    await c.transact('ok', 'EXAMINE INBOX')
    c.expectCode('READ-ONLY')
    await c.transact('no', 'STORE 1 +FLAGS (\\Seen)')
    await c.transact('no', 'SELECT Nonexistent')
    c.expectCode('NONEXISTENT')
    await c.transact('bad', 'FETCH 1 FLAGS') // a failed SELECT leaves no mailbox selected
    c.close()
  } finally {
    await srv.close()
  }
})

void test('CLOSE expunges silently, UNSELECT does not; STATUS counts with SIZE', async () => {
  const srv = await startImapTestServer()
  try {
    for (let i = 0; i < 3; i++) await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    await c.transact('ok', 'STORE 1:2 +FLAGS.SILENT (\\Deleted)')
    await c.transact('ok', 'UNSELECT')
    const s = await c.transact('ok', 'STATUS INBOX (MESSAGES UNSEEN DELETED SIZE RECENT UIDNEXT)')
    assert.match(
      s.untagged[0] ?? '',
      /^\* STATUS "INBOX" \(MESSAGES 3 UNSEEN 3 DELETED 2 SIZE \d+ RECENT 0 UIDNEXT 4\)$/,
    )
    await c.transact('ok', 'SELECT INBOX')
    const closed = await c.transact('ok', 'CLOSE')
    assert.deepEqual(closed.untagged, [])
    const after = await c.transact('ok', 'STATUS INBOX (MESSAGES)')
    assert.deepEqual(after.untagged, ['* STATUS "INBOX" (MESSAGES 1)'])
    await c.transact('no', 'STATUS Nope (MESSAGES)')
    c.close()
  } finally {
    await srv.close()
  }
})

void test('SELECT (QRESYNC ...) sends VANISHED (EARLIER) and changed flags (RFC 7162 3.2.5.2)', async () => {
  const srv = await startImapTestServer()
  try {
    for (let i = 0; i < 4; i++) await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port)
    await c.transact('ok', 'ENABLE QRESYNC')
    const sel = await c.transact('ok', 'SELECT INBOX')
    const validity = /UIDVALIDITY (\d+)/.exec(sel.untagged.join('\n'))?.[1] ?? ''
    const modseq = /HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))?.[1] ?? ''
    await c.transact('ok', 'STORE 1 +FLAGS.SILENT (\\Deleted)')
    await c.transact('ok', 'STORE 2 +FLAGS.SILENT (\\Flagged)')
    const ex = await c.transact('ok', 'EXPUNGE')
    assert.deepEqual(ex.untagged, ['* VANISHED 1'])
    await c.transact('ok', 'UNSELECT')
    const r = await c.transact('ok', `SELECT INBOX (QRESYNC (${validity} ${modseq} 1:4))`)
    const text = r.untagged.join('\n')
    assert.match(text, /^\* VANISHED \(EARLIER\) 1$/m)
    assert.match(text, /^\* 1 FETCH \(UID 2 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/m)
    const again = await c.transact('ok', 'SELECT Trash')
    assert.match(again.untagged[0] ?? '', /^\* OK \[CLOSED\]/)
    c.close()
  } finally {
    await srv.close()
  }
})
