// Transcripts for CREATE (USE), DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST (LIST-EXTENDED,
// LIST-STATUS, SPECIAL-USE, CHILDREN), LSUB, NAMESPACE, and the isolation of accounts
// (RFC 9051 6.3.4-6.3.10; RFC 5258; RFC 5819; RFC 6154).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ImapTranscript,
  message,
  startImapTestServer,
} from '../../../test/harness/imap-transcript.ts'

void test('CREATE, LIST with children and special-use, RENAME, DELETE', async () => {
  const srv = await startImapTestServer()
  try {
    const c = await ImapTranscript.login(srv.port)
    await c.transact('ok', 'CREATE Projects/2024')
    await c.transact('no', 'CREATE Projects')
    c.expectCode('ALREADYEXISTS')
    await c.transact('ok', 'CREATE Stuff (USE (\\Archive))')
    await c.transact('no', 'CREATE Flagged (USE (\\Flagged))')
    c.expectCode('USEATTR')
    const l = await c.transact('ok', 'LIST "" "Projects*"')
    assert.deepEqual(l.untagged, [
      '* LIST (\\HasChildren) "/" "Projects"',
      '* LIST (\\HasNoChildren) "/" "Projects/2024"',
    ])
    const pct = await c.transact('ok', 'LIST "" %')
    assert.ok(!pct.untagged.some((u) => u.includes('2024')))
    const root = await c.transact('ok', 'LIST "" ""')
    assert.deepEqual(root.untagged, ['* LIST (\\Noselect) "/" ""'])
    const su = await c.transact('ok', 'LIST (SPECIAL-USE) "" *')
    assert.ok(su.untagged.every((u) => /\\(Sent|Drafts|Junk|Trash|Archive)/.test(u)))
    assert.ok(su.untagged.some((u) => u.endsWith('"Stuff"')))
    await c.transact('no', 'DELETE Projects')
    c.expectCode('HASCHILDREN')
    await c.transact('ok', 'RENAME Projects Work')
    const w = await c.transact('ok', 'LIST "" Work/*')
    assert.deepEqual(w.untagged, ['* LIST (\\HasNoChildren) "/" "Work/2024"'])
    await c.transact('ok', 'DELETE Work/2024')
    await c.transact('no', 'DELETE Work/2024')
    await c.transact('no', 'DELETE INBOX')
    c.close()
  } finally {
    await srv.close()
  }
})

void test('SUBSCRIBE, LSUB, LIST (SUBSCRIBED), RETURN (STATUS), NAMESPACE', async () => {
  const srv = await startImapTestServer()
  try {
    await srv.deliver('alice@example.test', message())
    const c = await ImapTranscript.login(srv.port)
    await c.transact('ok', 'SUBSCRIBE INBOX')
    await c.transact('ok', 'SUBSCRIBE Gone')
    const ls = await c.transact('ok', 'LSUB "" *')
    assert.deepEqual(ls.untagged, ['* LSUB () "/" "Gone"', '* LSUB () "/" "INBOX"'])
    const sub = await c.transact('ok', 'LIST (SUBSCRIBED) "" *')
    assert.deepEqual(sub.untagged, [
      '* LIST (\\NonExistent \\Subscribed) "/" "Gone"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "INBOX"',
    ])
    await c.transact('ok', 'UNSUBSCRIBE Gone')
    const st = await c.transact('ok', 'LIST "" INBOX RETURN (STATUS (MESSAGES UNSEEN))')
    assert.deepEqual(st.untagged, [
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* STATUS "INBOX" (MESSAGES 1 UNSEEN 1)',
    ])
    const ns = await c.transact('ok', 'NAMESPACE')
    assert.deepEqual(ns.untagged, ['* NAMESPACE (("" "/")) NIL NIL'])
    c.close()
  } finally {
    await srv.close()
  }
})

void test("crafted names never reach another user's mailboxes", async () => {
  const srv = await startImapTestServer()
  try {
    await srv.deliver('bob@example.test', message({ subject: 'secret of bob' }))
    const c = await ImapTranscript.login(srv.port)
    for (const name of ['../bob@example.test/INBOX', 'INBOX/../other', '../x', '/INBOX']) {
      await c.transact('no', `SELECT "${name}"`)
      await c.transact('no', `STATUS "${name}" (MESSAGES)`)
    }
    await c.transact('no', 'CREATE "INBOX/../other"') // ".." levels are not names
    await c.transact('no', 'CREATE "../x"')
    const all = await c.transact('ok', 'LIST "" *')
    assert.ok(all.untagged.every((u) => !u.includes('bob')))
    await c.transact('ok', 'SELECT INBOX')
    const none = await c.transact('ok', 'SEARCH TEXT secret')
    assert.deepEqual(none.untagged, ['* SEARCH'])
    await c.transact('no', 'COPY 1 "../bob@example.test/INBOX"')
    c.close()
  } finally {
    await srv.close()
  }
})
