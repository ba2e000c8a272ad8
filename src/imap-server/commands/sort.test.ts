// Transcripts for SORT and UID SORT (RFC 5256 3, RFC 5957): each key, REVERSE, several keys,
// ties by sequence number, SEARCH criteria, charsets and the CAPABILITY entries.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ImapTranscript, startImapTestServer } from '../../../test/harness/imap-transcript.ts'
import { mail } from '../../../test/harness/sort-mail.ts'

void test('SORT keys, REVERSE, multiple keys, UID SORT, search criteria and charsets', async () => {
  const srv = await startImapTestServer()
  try {
    const deliver = (m: string): Promise<number> => srv.deliver('alice@example.test', m)
    await deliver(
      mail({
        subject: 'Re: [list] beta',
        date: 'Tue, 2 Jan 2024 10:00:00 +0000',
        from: '"Zed" <zed@example.org>',
        to: 'Bob <bob@example.org>',
        body: 'x'.repeat(500),
      }),
    )
    await deliver(
      mail({
        subject: '=?UTF-8?Q?Fwd=3A_Alpha?=',
        date: 'Tue, 2 Jan 2024 09:00:00 -0200', // 11:00 UTC: after message 1
        from: 'amy@example.org',
        cc: 'carl@example.org',
      }),
    )
    await deliver(mail({ subject: 'alpha (fwd)', from: 'Bea <BEA@example.org>' })) // no Date
    await deliver(
      mail({
        subject: 'Beta',
        date: 'Mon, 1 Jan 2024 10:00:00 +0000',
        from: 'amy@example.org',
        body: 'y'.repeat(200),
      }),
    )
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const caps = await c.transact('ok', 'CAPABILITY')
    assert.match(
      caps.untagged[0] ?? '',
      / SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES /,
    )
    await c.transact('ok', 'STORE 4 +FLAGS.SILENT (\\Seen)')
    const q = async (args: string): Promise<string | undefined> =>
      (await c.transact('ok', `SORT ${args}`)).untagged[0]
    // Base subjects ALPHA, ALPHA, BETA, BETA: ties in sequence order.
    assert.equal(await q('(SUBJECT) UTF-8 ALL'), '* SORT 2 3 1 4')
    assert.equal(await q('(REVERSE SUBJECT) UTF-8 ALL'), '* SORT 1 4 2 3')
    assert.equal(await q('(SUBJECT DATE) UTF-8 ALL'), '* SORT 2 3 4 1')
    // Message 3 has no Date: its internal date (now) is the latest.
    assert.equal(await q('(DATE) UTF-8 ALL'), '* SORT 4 1 2 3')
    // Delivered in order (equal internal dates tie by sequence number, REVERSE or not).
    assert.equal(await q('(ARRIVAL) US-ASCII ALL'), '* SORT 1 2 3 4')
    assert.equal(await q('(REVERSE SIZE) UTF-8 ALL'), '* SORT 1 4 2 3')
    // addr-mailbox of the first From, case-insensitive: amy, amy, bea, zed.
    assert.equal(await q('(FROM) UTF-8 ALL'), '* SORT 2 4 3 1')
    assert.equal(await q('(FROM REVERSE DATE) UTF-8 ALL'), '* SORT 2 4 3 1')
    assert.equal(await q('(TO) UTF-8 ALL'), '* SORT 2 3 4 1')
    // No Cc sorts as "": before carl.
    assert.equal(await q('(CC) UTF-8 ALL'), '* SORT 1 3 4 2')
    assert.equal(await q('(SIZE) UTF-8 ALL'), '* SORT 3 2 4 1')
    // RFC 5957: display name, else the addr-spec: amy@, amy@, Bea, Zed.
    assert.equal(await q('(DISPLAYFROM) UTF-8 ALL'), '* SORT 2 4 3 1')
    assert.equal(await q('(DISPLAYTO) UTF-8 ALL'), '* SORT 2 3 4 1')
    assert.equal(await q('(SUBJECT) UTF-8 UNSEEN'), '* SORT 2 3 1')
    assert.equal(await q('(SUBJECT) UTF-8 SUBJECT nothing'), '* SORT')
    const uid = await c.transact('ok', 'UID SORT (REVERSE DATE) UTF-8 2:4')
    assert.equal(uid.untagged[0], '* SORT 3 2 4')
    await c.transact('no', 'SORT (SUBJECT) KOI8-R ALL')
    c.expectCode('BADCHARSET ("UTF-8" "US-ASCII")')
    await c.transact('bad', 'SORT (BOGUS) UTF-8 ALL')
    await c.transact('bad', 'SORT () UTF-8 ALL')
    c.close()
  } finally {
    await srv.close()
  }
})

// SORT_BENCH=10000 for the 10,000-message timing (delivering them takes several seconds).
const BENCH_COUNT = Number(process.env.SORT_BENCH ?? 2000)

void test(`SORT SUBJECT over ${String(BENCH_COUNT)} messages, cold and cached`, async () => {
  const srv = await startImapTestServer()
  try {
    const id = await srv.accountId('alice@example.test')
    for (let i = 0; i < BENCH_COUNT; i++) {
      await srv.store.accept({
        raw: Buffer.from(mail({ subject: `Re: topic ${String((i * 7919) % BENCH_COUNT)}` })),
        receivedAt: Date.now(),
        mailFrom: 'sender@remote.example',
        local: [{ accountId: id, rcptTo: 'alice@example.test' }],
        remote: [],
      })
    }
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    for (const round of ['cold', 'cached']) {
      const started = performance.now()
      const r = await c.transact('ok', 'SORT (SUBJECT) UTF-8 ALL')
      const ms = performance.now() - started
      assert.equal(r.untagged[0]?.split(' ').length, BENCH_COUNT + 2)
      assert.ok(ms < (round === 'cold' ? 5000 : 1000), `${round}: ${ms.toFixed(0)} ms`)
      if (process.env.SORT_BENCH !== undefined) console.log(`${round}: ${ms.toFixed(0)} ms`)
    }
    c.close()
  } finally {
    await srv.close()
  }
})
