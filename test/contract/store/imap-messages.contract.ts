// Contract tests for the IMAP message operations: APPEND (APPENDUID), STORE with
// UNCHANGEDSINCE and per-message MODSEQ, COPY and MOVE (COPYUID mappings, shared bodies),
// EXPUNGE of \Deleted messages recorded for VANISHED, changes since a MODSEQ, quota
// refusal, reads by UID range, durability and the change feed after commit.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { MailboxChange, Store } from '../../../src/store/types.ts'
import { isStoreError } from '../../../src/store/store-error.ts'
import { acceptInput, addAccounts, rawMessage, withStore, type MakeStore } from './fixture.ts'

async function box(store: Store, accountId: number, name: string) {
  const b = await store.mailboxes.get(accountId, name)
  assert.ok(b, `${name} exists`)
  return b
}

async function fill(store: Store, accountId: number, mailbox: string, n: number) {
  const out = []
  for (let i = 0; i < n; i++) {
    out.push(await store.messages.append({ accountId, mailbox, raw: rawMessage(`m${i}`) }))
  }
  return out
}

export function runImapMessagesContract(make: MakeStore): void {
  void describe('append', () => {
    void it('stores with flags and date, answers APPENDUID, tells the feed after commit', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        const inbox = await box(store, a, 'INBOX')
        const seen: MailboxChange[] = []
        store.onChange((c) => {
          seen.push(...c)
        })
        const raw = rawMessage('appended')
        const pending = store.messages.append({
          accountId: a,
          mailbox: 'inbox',
          raw,
          flags: ['\\seen', '$Label1', '$label1'],
          internalDate: 1_600_000_000_000,
        })
        assert.equal(seen.length, 0, 'nothing told before the commit')
        const r = await pending
        assert.deepEqual(r, {
          mailboxId: inbox.id,
          uidValidity: inbox.uidValidity,
          uid: 1,
          modseq: 2,
        })
        assert.deepEqual(seen, [{ accountId: a, mailboxId: inbox.id, uid: 1, kind: 'appended' }])
        const [row] = await store.messages.listRange(inbox.id, { from: 1, to: 1 })
        assert.ok(row)
        assert.deepEqual(row.flags, ['\\Seen', '$Label1'])
        assert.equal(row.internalDate, 1_600_000_000_000)
        assert.equal(row.size, raw.length)
        assert.deepEqual(await store.messages.body(row.blobId), raw)
        const after = await box(store, a, 'INBOX')
        assert.equal(after.uidNext, 2)
        assert.equal(after.totalBytes, raw.length)
        await assert.rejects(store.messages.append({ accountId: a, mailbox: 'Nope', raw }), (e) =>
          isStoreError(e, 'mailbox-not-found'),
        )
        await assert.rejects(
          store.messages.append({ accountId: a, mailbox: 'INBOX', raw, flags: ['\\Recent'] }),
          (e) => isStoreError(e, 'invalid-input'),
        )
      }))

    void it('is durable once it resolves', (t) =>
      withStore(make, async (fx) => {
        if (!fx.reopen) {
          t.skip('the engine fixture cannot reopen its database')
          return
        }
        const [a = 0] = await addAccounts(fx.store, ['a'])
        const r = await fx.store.messages.append({
          accountId: a,
          mailbox: 'Drafts',
          raw: rawMessage('d'),
        })
        await fx.store.messages.updateFlags({
          mailboxId: r.mailboxId,
          uids: [1],
          mode: 'add',
          flags: ['\\Draft'],
        })
        const again = await fx.reopen()
        const rows = await again.messages.listRange(r.mailboxId, { from: 1 })
        assert.deepEqual(
          rows.map((m) => [m.uid, m.flags]),
          [[1, ['\\Draft']]],
        )
      }))
  })

  void describe('flags', () => {
    void it('adds, removes, replaces; each changed message gets its own new MODSEQ', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        await fill(store, a, 'INBOX', 3)
        const { id } = await box(store, a, 'INBOX')
        const events: MailboxChange[] = []
        store.onChange((c) => events.push(...c))
        const add = await store.messages.updateFlags({
          mailboxId: id,
          uids: [1, 2, 3, 9],
          mode: 'add',
          flags: ['\\Seen'],
        })
        assert.deepEqual(
          add.messages.map((m) => [m.uid, m.modseq, m.changed]),
          [
            [1, 5, true],
            [2, 6, true],
            [3, 7, true],
          ],
        )
        assert.deepEqual(add.modified, [])
        assert.equal(events.length, 3)
        assert.deepEqual(events[0], {
          accountId: a,
          mailboxId: id,
          uid: 1,
          kind: 'flags',
          modseq: 5,
          flags: ['\\Seen'],
        })
        // No change, no new MODSEQ, no event.
        const again = await store.messages.updateFlags({
          mailboxId: id,
          uids: [1],
          mode: 'add',
          flags: ['\\SEEN'],
        })
        assert.deepEqual(again.messages, [{ uid: 1, flags: ['\\Seen'], modseq: 5, changed: false }])
        assert.equal(events.length, 3)
        const rep = await store.messages.updateFlags({
          mailboxId: id,
          uids: [2],
          mode: 'replace',
          flags: ['$A', '\\Flagged'],
        })
        assert.deepEqual(rep.messages[0]?.flags, ['$A', '\\Flagged'])
        const rem = await store.messages.updateFlags({
          mailboxId: id,
          uids: [2],
          mode: 'remove',
          flags: ['$a'],
        })
        assert.deepEqual(rem.messages[0]?.flags, ['\\Flagged'])
        assert.equal(rem.messages[0].modseq, 9)
        assert.equal((await box(store, a, 'INBOX')).highestModseq, 9)
      }))

    void it('UNCHANGEDSINCE leaves newer messages alone and reports them as MODIFIED', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        await fill(store, a, 'INBOX', 3)
        const { id } = await box(store, a, 'INBOX')
        await store.messages.updateFlags({ mailboxId: id, uids: [2], mode: 'add', flags: ['$X'] })
        const r = await store.messages.updateFlags({
          mailboxId: id,
          uids: [1, 2, 3],
          mode: 'add',
          flags: ['\\Deleted'],
          unchangedSince: 4,
        })
        assert.deepEqual(r.modified, [2])
        assert.deepEqual(
          r.messages.map((m) => [m.uid, m.changed]),
          [
            [1, true],
            [3, true],
          ],
        )
        const rows = await store.messages.listRange(id, { from: 1 })
        assert.deepEqual(
          rows.map((m) => m.flags),
          [['\\Deleted'], ['$X'], ['\\Deleted']],
        )
      }))
  })

  void describe('copy and move', () => {
    void it('copies with a COPYUID mapping, flags and dates kept, bodies shared', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        await fill(store, a, 'INBOX', 3)
        const inbox = await box(store, a, 'INBOX')
        const trash = await box(store, a, 'Trash')
        await store.messages.updateFlags({
          mailboxId: inbox.id,
          uids: [3],
          mode: 'add',
          flags: ['\\Flagged'],
        })
        const r = await store.messages.copy({
          mailboxId: inbox.id,
          uids: [3, 1, 7],
          targetMailboxId: trash.id,
        })
        assert.deepEqual(r, {
          uidValidity: trash.uidValidity,
          mapping: [
            [1, 1],
            [3, 2],
          ],
        })
        const src = await store.messages.listRange(inbox.id, { from: 1 })
        const dst = await store.messages.listRange(trash.id, { from: 1 })
        assert.equal(src.length, 3)
        assert.deepEqual(
          dst.map((m) => m.blobId),
          [src[0]?.blobId, src[2]?.blobId],
        )
        assert.deepEqual(dst[1]?.flags, ['\\Flagged'])
        assert.equal(dst[0]?.internalDate, src[0]?.internalDate)
        const t2 = await box(store, a, 'Trash')
        assert.equal(t2.messageCount, 2)
        assert.equal(t2.totalBytes, (src[0]?.size ?? 0) + (src[2]?.size ?? 0))
        // The body outlives the original while the copy references it.
        await store.messages.updateFlags({
          mailboxId: inbox.id,
          uids: [1],
          mode: 'add',
          flags: ['\\Deleted'],
        })
        assert.deepEqual(await store.messages.expungeDeleted(inbox.id), [1])
        assert.ok(await store.messages.body(dst[0]?.blobId ?? 0))
      }))

    void it('moves atomically: copies, expunges the originals and records them as vanished', () =>
      withStore(make, async ({ store }) => {
        const [a = 0, b = 0] = await addAccounts(store, ['a', 'b'])
        await fill(store, a, 'INBOX', 3)
        const inbox = await box(store, a, 'INBOX')
        const archive = await box(store, a, 'Archive')
        const events: MailboxChange[] = []
        store.onChange((c) => events.push(...c))
        const r = await store.messages.move({
          mailboxId: inbox.id,
          uids: [1, 2],
          targetMailboxId: archive.id,
        })
        assert.deepEqual(r.mapping, [
          [1, 1],
          [2, 2],
        ])
        assert.deepEqual(
          events.map((e) => [e.kind, e.mailboxId, e.uid]),
          [
            ['appended', archive.id, 1],
            ['appended', archive.id, 2],
            ['expunged', inbox.id, 1],
            ['expunged', inbox.id, 2],
          ],
        )
        assert.deepEqual(await store.messages.uids(inbox.id), [3])
        assert.deepEqual(await store.messages.uids(archive.id), [1, 2])
        const after = await box(store, a, 'INBOX')
        assert.equal(after.messageCount, 1)
        assert.deepEqual(
          (await store.messages.changesSince(inbox.id, inbox.highestModseq)).vanished,
          [1, 2],
        )
        const otherInbox = await box(store, b, 'INBOX')
        await assert.rejects(
          store.messages.move({ mailboxId: inbox.id, uids: [3], targetMailboxId: otherInbox.id }),
          (e) => isStoreError(e, 'mailbox-not-found'),
        )
        assert.deepEqual(await store.messages.uids(inbox.id), [3])
      }))
  })

  void describe('expunge and changes since a MODSEQ', () => {
    void it('expunges \\Deleted messages (optionally only some UIDs) and records VANISHED', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        await fill(store, a, 'INBOX', 5)
        const { id } = await box(store, a, 'INBOX')
        await store.messages.updateFlags({
          mailboxId: id,
          uids: [1, 2, 4],
          mode: 'add',
          flags: ['\\Deleted'],
        })
        const mark = (await box(store, a, 'INBOX')).highestModseq
        assert.deepEqual(await store.messages.expungeDeleted(id, [2, 3, 4]), [2, 4])
        await store.messages.updateFlags({
          mailboxId: id,
          uids: [5],
          mode: 'add',
          flags: ['\\Seen'],
        })
        const changes = await store.messages.changesSince(id, mark)
        assert.deepEqual(changes.vanished, [2, 4])
        assert.deepEqual(
          changes.changed.map((m) => m.uid),
          [5],
        )
        assert.deepEqual(await store.messages.expungeDeleted(id), [1])
        const all = await store.messages.changesSince(id, 0)
        assert.deepEqual(all.vanished, [1, 2, 4])
        assert.deepEqual(
          all.changed.map((m) => m.uid),
          [3, 5],
        )
        assert.deepEqual(await store.messages.expungeDeleted(id), [])
        const b = await box(store, a, 'INBOX')
        assert.equal(b.messageCount, 2)
        assert.equal((await store.mailboxes.status(a, 'INBOX'))?.deletedCount, 0)
      }))

    void it('lists by UID range', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        await fill(store, a, 'INBOX', 6)
        const { id } = await box(store, a, 'INBOX')
        assert.deepEqual(
          (await store.messages.listRange(id, { from: 2, to: 4 })).map((m) => m.uid),
          [2, 3, 4],
        )
        assert.deepEqual(
          (await store.messages.listRange(id, { from: 5 })).map((m) => m.uid),
          [5, 6],
        )
        assert.deepEqual(await store.messages.listRange(id, { from: 7 }), [])
      }))
  })

  void describe('quota', () => {
    void it('reports usage and refuses APPEND and COPY over the quota with over-quota', () =>
      withStore(make, async ({ store }) => {
        await addAccounts(store, [])
        const acct = await store.accounts.add({
          address: 'q@example.test',
          passwordHash: 'x',
          quotaBytes: 3 * rawMessage('m0').length,
        })
        const a = acct.id
        await fill(store, a, 'INBOX', 2)
        await store.accept(acceptInput([{ accountId: a, rcptTo: 'q' }], { tag: 'm0' }))
        const q = await store.mailboxes.quota(a)
        assert.deepEqual(q, {
          usedBytes: 3 * rawMessage('m0').length,
          messageCount: 3,
          limitBytes: 3 * rawMessage('m0').length,
        })
        await assert.rejects(
          store.messages.append({ accountId: a, mailbox: 'INBOX', raw: rawMessage('m9') }),
          (e) => isStoreError(e, 'over-quota'),
        )
        const inbox = await box(store, a, 'INBOX')
        const trash = await box(store, a, 'Trash')
        await assert.rejects(
          store.messages.copy({ mailboxId: inbox.id, uids: [1], targetMailboxId: trash.id }),
          (e) => isStoreError(e, 'over-quota'),
        )
        // MOVE does not grow the account.
        const moved = await store.messages.move({
          mailboxId: inbox.id,
          uids: [1],
          targetMailboxId: trash.id,
        })
        assert.equal(moved.mapping.length, 1)
        assert.equal((await store.mailboxes.quota(a)).usedBytes, q.usedBytes)
        const [u = 0] = await addAccounts(store, ['u'])
        assert.equal((await store.mailboxes.quota(u)).limitBytes, null)
      }))
  })
}
