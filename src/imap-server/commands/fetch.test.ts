// Transcripts for FETCH and UID FETCH: items, sections, partials, BINARY, \Seen, CHANGEDSINCE,
// VANISHED (RFC 9051 6.4.5, 6.4.9; RFC 3516; RFC 7162 3.1.4, 3.2.6).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ImapTranscript,
  message,
  startImapTestServer,
} from '../../../test/harness/imap-transcript.ts'

const MULTIPART = [
  'From: a@example.test',
  'Subject: parts',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b"',
  '',
  '--b',
  'Content-Type: text/plain',
  '',
  'first part',
  '--b',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: base64',
  '',
  'AAEC',
  '--b--',
  '',
].join('\r\n')

void test('FETCH items, BODY[] byte-exact, sections, partials, BINARY', async () => {
  const srv = await startImapTestServer()
  try {
    const raw = message({ subject: 'hi' })
    await srv.deliver('alice@example.test', raw)
    await srv.deliver('alice@example.test', MULTIPART)
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const all = await c.transact('ok', 'FETCH 1 (UID FLAGS RFC822.SIZE ENVELOPE)')
    assert.match(
      all.untagged[0] ?? '',
      new RegExp(
        `^\\* 1 FETCH \\(UID 1 FLAGS \\(\\) RFC822.SIZE ${raw.length} ENVELOPE \\("Mon, 7 Feb 1994 21:52:25 -0800" "hi" `,
      ),
    )
    const body = await c.transact('ok', 'FETCH 1 BODY.PEEK[]')
    assert.equal(body.untagged[0], `* 1 FETCH (BODY[] {${raw.length}}\r\n${raw})`)
    const part = await c.transact('ok', 'FETCH 1 BODY.PEEK[]<6.6>')
    assert.equal(part.untagged[0], `* 1 FETCH (BODY[]<6> {6}\r\n${raw.slice(6, 12)})`)
    const s1 = await c.transact(
      'ok',
      'FETCH 2 (BODY.PEEK[1] BODY.PEEK[2.MIME] BINARY.PEEK[2] BINARY.SIZE[2])',
    )
    assert.equal(
      s1.untagged[0],
      '* 2 FETCH (BODY[1] {10}\r\nfirst part BODY[2.MIME] {77}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n BINARY[2] ~{3}\r\n\x00\x01\x02 BINARY.SIZE[2] 3)',
    )
    const bs = await c.transact('ok', 'FETCH 2 BODYSTRUCTURE')
    assert.match(
      bs.untagged[0] ?? '',
      /BODYSTRUCTURE \(\("TEXT" "PLAIN" .*\)\("APPLICATION" "OCTET-STREAM" .*\) "MIXED" /,
    )
    const hf = await c.transact('ok', 'UID FETCH 2 BODY.PEEK[HEADER.FIELDS (SUBJECT)]')
    assert.equal(
      hf.untagged[0],
      '* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: parts\r\n\r\n)',
    )
    const none = await c.transact('ok', 'FETCH 1 FLAGS')
    assert.equal(none.untagged[0], '* 1 FETCH (FLAGS ())') // PEEK did not set \Seen
    const seen = await c.transact('ok', 'FETCH 1 BODY[TEXT]')
    assert.match(seen.untagged[0] ?? '', /FLAGS \(\\Seen\)\)$/)
    await c.transact('bad', 'FETCH 1 (BOGUS)')
    c.close()
  } finally {
    await srv.close()
  }
})

void test('FETCH CHANGEDSINCE and UID FETCH VANISHED (RFC 7162 3.1.4.1, 3.2.6)', async () => {
  const srv = await startImapTestServer()
  try {
    for (let i = 0; i < 3; i++) await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port)
    await c.transact('ok', 'ENABLE QRESYNC')
    const sel = await c.transact('ok', 'SELECT INBOX')
    const modseq = /HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))?.[1] ?? ''
    await c.transact('ok', 'STORE 2 +FLAGS.SILENT (\\Flagged)')
    await c.transact('ok', 'STORE 3 +FLAGS.SILENT (\\Deleted)')
    await c.transact('ok', 'EXPUNGE')
    const ch = await c.transact('ok', `FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq})`)
    assert.equal(ch.untagged.length, 1)
    assert.match(ch.untagged[0] ?? '', /^\* 2 FETCH \(FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/)
    const v = await c.transact('ok', `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`)
    assert.equal(v.untagged[0], '* VANISHED (EARLIER) 3')
    c.close()
  } finally {
    await srv.close()
  }
})
