// Transcripts for SEARCH and UID SEARCH: keys on flags, sizes, dates, UIDs, full-text TEXT and
// BODY (substrings), header keys, OR/NOT, ESEARCH RETURN, SAVE and "$" (RFC 9051 6.4.4; RFC 4731; RFC 5182).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ImapTranscript,
  message,
  startImapTestServer,
} from '../../../test/harness/imap-transcript.ts'

void test('SEARCH keys, full-text TEXT/BODY, headers, OR/NOT, ESEARCH and SAVE', async () => {
  const srv = await startImapTestServer()
  try {
    await srv.deliver('alice@example.test', message({ subject: 'Invoice March', body: 'pay now' }))
    await srv.deliver('alice@example.test', message({ subject: 'Lunch', body: 'delivery at noon' }))
    await srv.deliver(
      'alice@example.test',
      message({ subject: 'Report', body: 'x'.repeat(2000), from: 'Carol <carol@example.org>' }),
    )
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    await c.transact('ok', 'STORE 2 +FLAGS.SILENT (\\Seen)')
    const q = async (criteria: string): Promise<string | undefined> =>
      (await c.transact('ok', `SEARCH ${criteria}`)).untagged[0]
    assert.equal(await q('ALL'), '* SEARCH 1 2 3')
    assert.equal(await q('UNSEEN'), '* SEARCH 1 3')
    assert.equal(await q('SEEN'), '* SEARCH 2')
    assert.equal(await q('TEXT deliv'), '* SEARCH 2')
    assert.equal(await q('BODY pay'), '* SEARCH 1')
    assert.equal(await q('SUBJECT invoice'), '* SEARCH 1')
    assert.equal(await q('FROM carol'), '* SEARCH 3')
    // RFC 9051 6.4.4: substrings, case-insensitive, also inside words and of 1-2 characters.
    assert.equal(await q('TEXT ELIVER'), '* SEARCH 2')
    assert.equal(await q('BODY "at no"'), '* SEARCH 2')
    assert.equal(await q('SUBJECT VOIC'), '* SEARCH 1')
    assert.equal(await q('BODY voic'), '* SEARCH', 'BODY is the body only')
    assert.equal(await q('FROM rol@example.o'), '* SEARCH 3')
    assert.equal(await q('BODY xx'), '* SEARCH 3')
    assert.equal(await q('BODY w'), '* SEARCH 1')
    assert.equal(await q('HEADER Subject rc'), '* SEARCH 1')
    assert.equal(await q('LARGER 1000'), '* SEARCH 3')
    assert.equal(await q('OR SUBJECT lunch SUBJECT report'), '* SEARCH 2 3')
    assert.equal(await q('NOT TEXT pay'), '* SEARCH 2 3')
    assert.equal(await q('2:* UNSEEN'), '* SEARCH 3')
    assert.equal(await q('SENTBEFORE 8-Feb-1994 SENTSINCE 7-Feb-1994'), '* SEARCH 1 2 3')
    assert.equal(await q('SINCE 1-Jan-2000'), '* SEARCH 1 2 3')
    assert.equal(await q('BEFORE 1-Jan-2000'), '* SEARCH')
    const uid = await c.transact('ok', 'UID SEARCH UID 2:3')
    assert.equal(uid.untagged[0], '* SEARCH 2 3')
    const es = await c.transact('ok', 'SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN')
    assert.equal(es.untagged[0], '* ESEARCH (TAG "A27") MIN 1 MAX 3 COUNT 2 ALL 1,3')
    const empty = await c.transact('ok', 'UID SEARCH RETURN (COUNT) TEXT nothingmatches')
    assert.equal(empty.untagged[0], '* ESEARCH (TAG "A28") UID COUNT 0')
    const save = await c.transact('ok', 'SEARCH RETURN (SAVE) UNSEEN')
    assert.deepEqual(save.untagged, [])
    const f = await c.transact('ok', 'FETCH $ (UID)')
    assert.deepEqual(f.untagged, ['* 1 FETCH (UID 1)', '* 3 FETCH (UID 3)'])
    await c.transact('no', 'SEARCH CHARSET KOI8-R TEXT x')
    c.expectCode('BADCHARSET ("UTF-8" "US-ASCII")')
    c.close()
  } finally {
    await srv.close()
  }
})
