// Contract tests for full-text search (SEARCH TEXT / BODY / HEADER through the index):
// substrings (RFC 9051 6.4.4) of the decoded body and of headers, across case and accents,
// 1-2 character strings, per mailbox, copies found, expunged messages forgotten; and the timings of STATUS and SEARCH TEXT on a 10,000-message mailbox (printed,
// with generous bounds only).

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Store } from '../../../src/store/types.ts'
import { acceptInput, addAccounts, withStore, type MakeStore } from './fixture.ts'

function mime(subject: string, from: string, body: string): Buffer {
  const b64 = Buffer.from(`<p>Attached: <b>${body}</b> caf\u00e9</p>`).toString('base64')
  return Buffer.from(
    [
      `From: ${from}`,
      'To: Team <team@example.test>',
      `Subject: ${subject}`,
      'X-Project: Blue Harbour',
      'Content-Type: multipart/alternative; boundary="zz"',
      '',
      '--zz',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      `${body} soft=`,
      'wrapped line',
      '--zz',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      '--zz--',
      '',
    ].join('\r\n'),
  )
}

async function inboxId(store: Store, accountId: number): Promise<number> {
  const b = await store.mailboxes.get(accountId, 'INBOX')
  assert.ok(b)
  return b.id
}

export function runSearchContract(make: MakeStore): void {
  void describe('full-text search', () => {
    void it('finds words in decoded bodies and headers, per mailbox, with copies', () =>
      withStore(make, async ({ store }) => {
        const [a = 0, b = 0] = await addAccounts(store, ['a', 'b'])
        const put = (subject: string, from: string, body: string) =>
          store.messages.append({ accountId: a, mailbox: 'INBOX', raw: mime(subject, from, body) })
        await put('Quarterly report', 'Alice <alice@corp.test>', 'the turnover grew')
        await put(
          '=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from Zürich',
          'Bob <bob@corp.test>',
          'lunch tomorrow',
        )
        await put('Invoice 42', 'billing@shop.test', 'payment overdue')
        await store.accept(acceptInput([{ accountId: b, rcptTo: 'b' }], { tag: 'turnover' }))
        const id = await inboxId(store, a)
        const search = (q: Parameters<Store['messages']['searchText']>[1]) =>
          store.messages.searchText(id, q)
        assert.deepEqual(await search({ text: 'turnover' }), [1])
        assert.deepEqual(await search({ body: 'TURNOVER grew' }), [1])
        assert.deepEqual(await search({ body: 'softwrapped' }), [1, 2, 3], 'soft line break undone')
        assert.deepEqual(
          await search({ body: 'cafe' }),
          [1, 2, 3],
          'base64 HTML part, accents folded',
        )
        assert.deepEqual(await search({ body: 'attached' }), [1, 2, 3])
        assert.deepEqual(await search({ text: 'grüße' }), [2], 'encoded-word subject')
        assert.deepEqual(await search({ text: 'zurich' }), [2])
        assert.deepEqual(await search({ body: 'Quarterly' }), [], 'BODY skips headers')
        assert.deepEqual(await search({ header: [['Subject', 'invoice']] }), [3])
        assert.deepEqual(await search({ header: [['From', 'corp.test']] }), [1, 2])
        assert.deepEqual(await search({ header: [['from', 'ali']] }), [1], 'prefix of a word')
        assert.deepEqual(await search({ header: [['To', 'alice']] }), [])
        assert.deepEqual(await search({ header: [['X-Project', 'harbour']] }), [1, 2, 3])
        assert.deepEqual(await search({ header: [['X-Project', '']] }), [1, 2, 3])
        assert.deepEqual(
          await search({ text: ['payment', 'overdue'], header: [['Subject', '42']] }),
          [3],
        )
        assert.deepEqual(await search({ text: 'nothing-like-this' }), [])
        assert.deepEqual(await search({ text: '"*) OR (' }), [], 'user text is never FTS syntax')
        assert.deepEqual(await search({}), [1, 2, 3])
        assert.deepEqual(await search({ text: '' }), [1, 2, 3], 'the empty string is in all')
        // Another account's message with the same word is not found here, and copies are.
        const trash = await store.mailboxes.get(a, 'Trash')
        assert.ok(trash)
        await store.messages.copy({ mailboxId: id, uids: [1], targetMailboxId: trash.id })
        assert.deepEqual(await store.messages.searchText(trash.id, { text: 'turnover' }), [1])
        assert.deepEqual(
          await store.messages.searchText(await inboxId(store, b), { body: 'turnover' }),
          [1],
        )
      }))

    void it('matches substrings: inside words, across case, non-ASCII, 1-2 characters', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        const put = (subject: string, from: string, body: string) =>
          store.messages.append({ accountId: a, mailbox: 'INBOX', raw: mime(subject, from, body) })
        await put('Quarterly report', 'Alice <alice@corp.test>', 'the turnover grew')
        await put('=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus K\u00f6ln', 'Bob <bob@corp.test>', 'x7 qz')
        await put('Invoice 42', 'billing@shop.test', 'Straßenbahn überfüllt')
        const id = await inboxId(store, a)
        const search = (q: Parameters<Store['messages']['searchText']>[1]) =>
          store.messages.searchText(id, q)
        assert.deepEqual(await search({ text: 'urnov' }), [1], 'middle of a word')
        assert.deepEqual(await search({ body: 'RNOVER GR' }), [1], 'across case and words')
        assert.deepEqual(await search({ text: 'arterl' }), [1], 'middle of a header word')
        assert.deepEqual(await search({ body: 'arterl' }), [], 'BODY is body only')
        assert.deepEqual(await search({ header: [['Subject', 'port']] }), [1], 'header only')
        assert.deepEqual(await search({ header: [['Subject', 'turnover']] }), [])
        assert.deepEqual(await search({ text: 'rüße' }), [2], 'non-ASCII, encoded word')
        assert.deepEqual(await search({ text: 'ÖLN' }), [2], 'non-ASCII across case')
        assert.deepEqual(await search({ body: 'aßenbahn ÜBER' }), [3])
        assert.deepEqual(await search({ body: 'x7' }), [2], 'two characters')
        assert.deepEqual(await search({ body: 'Q' }), [2], 'one character, body only')
        assert.deepEqual(await search({ text: 'q' }), [1, 2], 'one character, header or body')
        assert.deepEqual(await search({ header: [['Subject', '42']] }), [3], 'short header value')
        assert.deepEqual(await search({ header: [['From', 'b']] }), [2, 3])
        assert.deepEqual(await search({ header: [['X-Project', 'arb']] }), [1, 2, 3])
        assert.deepEqual(await search({ header: [['X-Project', 'Team']] }), [], 'field, not header')
        assert.deepEqual(await search({ header: [['X-Missing', '']] }), [])
        assert.deepEqual(await search({ text: ['ö', 'x7'] }), [2], 'criteria ANDed')
        assert.deepEqual(await search({ body: 'n ü' }), [3], 'spaces count')
      }))

    void it('forgets expunged messages', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        const r = await store.messages.append({
          accountId: a,
          mailbox: 'INBOX',
          raw: mime('gone', 'x@y.test', 'ephemeral words'),
        })
        await store.messages.updateFlags({
          mailboxId: r.mailboxId,
          uids: [1],
          mode: 'add',
          flags: ['\\Deleted'],
        })
        assert.deepEqual(await store.messages.searchText(r.mailboxId, { text: 'ephemeral' }), [1])
        await store.messages.expungeDeleted(r.mailboxId)
        assert.deepEqual(await store.messages.searchText(r.mailboxId, { text: 'ephemeral' }), [])
      }))

    void it('10,000 messages: STATUS and SEARCH TEXT stay fast (timings printed)', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel']
        const started = performance.now()
        const pending: Promise<unknown>[] = []
        for (let i = 0; i < 10_000; i++) {
          const body = `${words[i % 8] ?? ''} ${words[(i * 7) % 8] ?? ''} message ${i} ${i % 1000 === 0 ? 'needle' : ''}`
          const flags = i % 3 === 0 ? ['\\Seen'] : i % 10 === 0 ? ['\\Deleted'] : []
          pending.push(
            store.messages.append({
              accountId: a,
              mailbox: 'INBOX',
              raw: mime(`subject ${i}`, 'a@b.test', body),
              flags,
            }),
          )
          if (pending.length === 500) await Promise.all(pending.splice(0))
        }
        await Promise.all(pending)
        const fillMs = performance.now() - started
        const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
          const t = performance.now()
          const v = await fn()
          return [v, performance.now() - t]
        }
        const [status, statusMs] = await time(() => store.mailboxes.status(a, 'INBOX'))
        const [list, listMs] = await time(() => store.mailboxes.listStatus(a))
        const [needle, needleMs] = await time(() =>
          store.messages.searchText(status?.id ?? 0, { text: 'needle' }),
        )
        const [common, commonMs] = await time(() =>
          store.messages.searchText(status?.id ?? 0, { text: 'alpha' }),
        )
        const [inner, innerMs] = await time(() =>
          store.messages.searchText(status?.id ?? 0, { text: 'EEDL' }),
        )
        const [short, shortMs] = await time(() =>
          store.messages.searchText(status?.id ?? 0, { body: 'ee' }),
        )
        const [uids, uidsMs] = await time(() => store.messages.uids(status?.id ?? 0))
        console.log(
          `10k mailbox: append ${fillMs.toFixed(0)} ms; STATUS ${statusMs.toFixed(2)} ms; ` +
            `LIST-STATUS ${listMs.toFixed(2)} ms; SEARCH TEXT rare ${needleMs.toFixed(2)} ms ` +
            `(${needle.length} hits), common ${commonMs.toFixed(2)} ms (${common.length} hits), ` +
            `inside a word ${innerMs.toFixed(2)} ms (${inner.length} hits), 2-character scan ` +
            `${shortMs.toFixed(0)} ms (${short.length} hits); ` +
            `all UIDs ${uidsMs.toFixed(2)} ms`,
        )
        assert.equal(status?.messageCount, 10_000)
        assert.equal(status.unseenCount, 10_000 - 3334)
        assert.equal(status.deletedCount, 10_000 / 10 - 334)
        assert.equal(list.length, 6)
        assert.equal(needle.length, 10)
        assert.equal(common.length, 1250)
        assert.equal(uids.length, 10_000)
        assert.ok(statusMs < 250, `STATUS took ${statusMs} ms`)
        assert.equal(inner.length, 10)
        assert.equal(short.length, 10)
        assert.ok(needleMs < 500, `SEARCH TEXT took ${needleMs} ms`)
        assert.ok(innerMs < 500, `SEARCH TEXT inside a word took ${innerMs} ms`)
      }))
  })
}
