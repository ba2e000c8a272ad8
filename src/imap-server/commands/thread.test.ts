// Transcripts for THREAD and UID THREAD (RFC 5256 3, 4): ORDEREDSUBJECT and REFERENCES on
// messages whose subjects, dates and Message-ID/References/In-Reply-To exercise the rules.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ImapTranscript, startImapTestServer } from '../../../test/harness/imap-transcript.ts'
import { mail } from '../../../test/harness/sort-mail.ts'

void test('THREAD ORDEREDSUBJECT and REFERENCES, UID THREAD, criteria and charsets', async () => {
  const srv = await startImapTestServer()
  try {
    const day = (d: number): string => `${String(d)} Jan 2024 10:00:00 +0000`
    const messages = [
      mail({ subject: 'Plan', date: day(1), id: 'a@x' }), // 1
      mail({ subject: 'Re: Plan', date: day(3), id: 'b@x', refs: '<a@x>' }), // 2
      mail({ subject: 'Other', date: day(2), id: 'c@x' }), // 3
      mail({ subject: 'Re: Plan', date: day(4), id: 'd@x', inReplyTo: '<a@x>' }), // 4
      mail({ subject: 'RE: plan', date: day(5), id: 'e@x', refs: '<a@x> <b@x>' }), // 5
      mail({ subject: 'Re: Gone', date: day(6), id: 'f@x', refs: '<lost@x>' }), // 6
      mail({ subject: 'Re: Gone', date: day(7), id: 'g@x', refs: '<lost@x>' }), // 7
      mail({ subject: 'Re: Other', date: day(8), id: 'h@x' }), // 8: joins 3 by subject
    ]
    for (const m of messages) await srv.deliver('alice@example.test', m)
    const c = await ImapTranscript.login(srv.port, 'alice@example.test', 'INBOX')
    const q = async (args: string): Promise<string | undefined> =>
      (await c.transact('ok', `THREAD ${args}`)).untagged[0]
    // Base subjects PLAN (1 2 4 5), OTHER (3 8), GONE (6 7): the first message of each is the
    // parent of the rest; a single child continues the line (RFC 5256 5).
    assert.equal(await q('ORDEREDSUBJECT UTF-8 ALL'), '* THREAD (1 (2)(4)(5))(3 8)(6 7)')
    // 2 and 4 reply to 1, 5 to 2; 6 and 7 share a missing parent (a dummy).
    assert.equal(await q('REFERENCES UTF-8 ALL'), '* THREAD (1 (2 5)(4))(3 8)((6)(7))')
    // Without 1, its replies share a dummy parent, kept at the top level with two children.
    assert.equal(await q('REFERENCES US-ASCII 2:*'), '* THREAD (3 8)((2 5)(4))((6)(7))')
    assert.equal(await q('REFERENCES UTF-8 SUBJECT nothing'), '* THREAD')
    await c.transact('ok', 'STORE 1 +FLAGS.SILENT (\\Deleted)')
    await c.transact('ok', 'EXPUNGE')
    // Sequence numbers move down by one; UIDs stay.
    assert.equal(await q('ORDEREDSUBJECT UTF-8 ALL'), '* THREAD (2 7)(1 (3)(4))(5 6)')
    const uid = await c.transact('ok', 'UID THREAD REFERENCES UTF-8 ALL')
    assert.equal(uid.untagged[0], '* THREAD (3 8)((2 5)(4))((6)(7))')
    await c.transact('no', 'THREAD REFERENCES ISO-8859-1 ALL')
    c.expectCode('BADCHARSET ("UTF-8" "US-ASCII")')
    await c.transact('bad', 'THREAD X-UNKNOWN UTF-8 ALL')
    c.close()
  } finally {
    await srv.close()
  }
})
