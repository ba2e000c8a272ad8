// Contract tests for the IMAP mailbox operations: CREATE (superiors, special-use, new
// UIDVALIDITY), DELETE (INBOX and mailboxes with inferiors refused), RENAME (inferiors too;
// INBOX moves its messages), subscriptions, STATUS / LIST-STATUS counters, and the change
// feed for mailbox events.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { MailboxChange, Store } from '../../../src/store/types.ts'
import { isStoreError } from '../../../src/store/store-error.ts'
import { addAccounts, rawMessage, withStore, type MakeStore } from './fixture.ts'

async function names(store: Store, accountId: number): Promise<string[]> {
  return (await store.mailboxes.list(accountId)).map((b) => b.name).sort()
}

async function append(store: Store, accountId: number, mailbox: string, flags: string[] = []) {
  return store.messages.append({ accountId, mailbox, raw: rawMessage(mailbox), flags })
}

export function runMailboxAdminContract(make: MakeStore): void {
  void describe('mailbox administration', () => {
    void it('creates a mailbox with its superiors, special-use and a new UIDVALIDITY', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        const events: MailboxChange[] = []
        store.onChange((c) => events.push(...c))
        const before = Math.max(...(await store.mailboxes.list(a)).map((b) => b.uidValidity))
        const box = await store.mailboxes.create({ accountId: a, name: 'Work/2024/Q1/' })
        assert.equal(box.name, 'Work/2024/Q1')
        assert.equal(box.uidNext, 1)
        assert.ok(box.uidValidity > before && box.uidValidity < 2 ** 32)
        assert.ok((await names(store, a)).includes('Work/2024'))
        assert.deepEqual(
          events.map((e) => [e.kind, 'name' in e ? e.name : '']),
          [
            ['mailbox-created', 'Work'],
            ['mailbox-created', 'Work/2024'],
            ['mailbox-created', 'Work/2024/Q1'],
          ],
        )
        const sent = await store.mailboxes.create({
          accountId: a,
          name: 'Old',
          specialUse: '\\Sent',
        })
        assert.equal(sent.specialUse, '\\Sent')
        const child = await store.mailboxes.create({ accountId: a, name: 'inbox/Child' })
        assert.equal(child.name, 'INBOX/Child')
      }))

    void it('refuses existing, invalid names and unknown special-use with typed errors', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        const create = (name: string) => store.mailboxes.create({ accountId: a, name })
        await assert.rejects(create('Sent'), (e) => isStoreError(e, 'mailbox-exists'))
        await assert.rejects(create('inbox'), (e) => isStoreError(e, 'mailbox-exists'))
        for (const bad of ['', '/', 'a//b', '../x', 'a/./b', 'a%', 'x\x00y']) {
          await assert.rejects(create(bad), (e) => isStoreError(e, 'invalid-input'), bad)
        }
        await assert.rejects(
          store.mailboxes.create({ accountId: a, name: 'I2', specialUse: '\\Inbox' }),
          (e) => isStoreError(e, 'invalid-input'),
        )
        await assert.rejects(store.mailboxes.create({ accountId: 999_999, name: 'x' }), (e) =>
          isStoreError(e, 'account-not-found'),
        )
      }))

    void it('deletes a mailbox and its messages; refuses INBOX and one with inferiors', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        await store.mailboxes.create({ accountId: a, name: 'P/C' })
        const r = await append(store, a, 'P/C')
        const blob = (await store.messages.listRange(r.mailboxId, { from: 1 }))[0]?.blobId ?? 0
        await assert.rejects(store.mailboxes.delete(a, 'INBOX'), (e) =>
          isStoreError(e, 'mailbox-forbidden'),
        )
        await assert.rejects(store.mailboxes.delete(a, 'P'), (e) =>
          isStoreError(e, 'mailbox-has-children'),
        )
        await assert.rejects(store.mailboxes.delete(a, 'Nope'), (e) =>
          isStoreError(e, 'mailbox-not-found'),
        )
        const old = await store.mailboxes.get(a, 'P/C')
        await store.mailboxes.delete(a, 'P/C')
        await store.mailboxes.delete(a, 'P')
        assert.equal(await store.mailboxes.get(a, 'P/C'), undefined)
        assert.equal(await store.messages.body(blob), undefined)
        // Created again: a greater UIDVALIDITY, even within the same second.
        const again = await store.mailboxes.create({ accountId: a, name: 'P/C' })
        assert.ok(old && again.uidValidity > old.uidValidity)
      }))

    void it('renames a mailbox with its inferiors, keeping UIDVALIDITY, UIDs and subscriptions', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        await store.mailboxes.create({ accountId: a, name: 'A/B' })
        await append(store, a, 'A/B')
        await store.mailboxes.subscribe(a, 'A/B')
        const before = await store.mailboxes.get(a, 'A/B')
        const events: MailboxChange[] = []
        store.onChange((c) => events.push(...c))
        const renamed = await store.mailboxes.rename(a, 'A', 'X/Y')
        assert.equal(renamed.name, 'X/Y')
        const moved = await store.mailboxes.get(a, 'X/Y/B')
        assert.ok(before && moved)
        assert.equal(moved.id, before.id)
        assert.equal(moved.uidValidity, before.uidValidity)
        assert.equal(moved.messageCount, 1)
        assert.equal(await store.mailboxes.get(a, 'A/B'), undefined)
        assert.ok((await names(store, a)).includes('X'))
        assert.deepEqual(await store.mailboxes.subscriptions(a), ['X/Y/B'])
        assert.deepEqual(
          events
            .filter((e) => e.kind === 'mailbox-renamed')
            .map((e) => ('oldName' in e ? [e.oldName, e.name] : [])),
          [
            ['A', 'X/Y'],
            ['A/B', 'X/Y/B'],
          ],
        )
        await assert.rejects(store.mailboxes.rename(a, 'X', 'X/Y/Z'), (e) =>
          isStoreError(e, 'mailbox-forbidden'),
        )
        await assert.rejects(store.mailboxes.rename(a, 'X', 'Sent'), (e) =>
          isStoreError(e, 'mailbox-exists'),
        )
        await assert.rejects(store.mailboxes.rename(a, 'X', 'INBOX'), (e) =>
          isStoreError(e, 'mailbox-exists'),
        )
        await assert.rejects(store.mailboxes.rename(a, 'Nope', 'Z'), (e) =>
          isStoreError(e, 'mailbox-not-found'),
        )
      }))

    void it('renaming INBOX moves its messages to a new mailbox and leaves INBOX empty', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        await store.mailboxes.create({ accountId: a, name: 'INBOX/Sub' })
        await append(store, a, 'INBOX', ['\\Seen'])
        await append(store, a, 'INBOX', ['$Work'])
        const inbox = await store.mailboxes.get(a, 'INBOX')
        assert.ok(inbox)
        const old = await store.mailboxes.rename(a, 'INBOX', 'Old Mail')
        assert.notEqual(old.id, inbox.id)
        assert.ok(old.uidValidity > inbox.uidValidity)
        assert.equal(old.messageCount, 2)
        const rows = await store.messages.listRange(old.id, { from: 1 })
        assert.deepEqual(
          rows.map((r) => [r.uid, r.flags]),
          [
            [1, ['\\Seen']],
            [2, ['$Work']],
          ],
        )
        const after = await store.mailboxes.get(a, 'INBOX')
        assert.ok(after)
        assert.equal(after.id, inbox.id)
        assert.equal(after.uidValidity, inbox.uidValidity)
        assert.equal(after.messageCount, 0)
        assert.equal(after.uidNext, 3)
        assert.deepEqual((await store.messages.changesSince(inbox.id, 0)).vanished, [1, 2])
        assert.ok(await store.mailboxes.get(a, 'INBOX/Sub'))
      }))

    void it('keeps subscriptions by name, also for names that do not exist', () =>
      withStore(make, async ({ store }) => {
        const [a = 0, b = 0] = await addAccounts(store, ['a', 'b'])
        await store.mailboxes.subscribe(a, 'Sent')
        await store.mailboxes.subscribe(a, 'Sent')
        await store.mailboxes.subscribe(a, 'inbox')
        await store.mailboxes.subscribe(a, 'Ghost')
        await store.mailboxes.subscribe(b, 'Trash')
        assert.deepEqual(await store.mailboxes.subscriptions(a), ['Ghost', 'INBOX', 'Sent'])
        await store.mailboxes.unsubscribe(a, 'Ghost')
        await store.mailboxes.unsubscribe(a, 'Never')
        await store.mailboxes.create({ accountId: a, name: 'Tmp' })
        await store.mailboxes.subscribe(a, 'Tmp')
        await store.mailboxes.delete(a, 'Tmp')
        assert.deepEqual(await store.mailboxes.subscriptions(a), ['INBOX', 'Sent', 'Tmp'])
        assert.deepEqual(await store.mailboxes.subscriptions(b), ['Trash'])
      }))

    void it('reports STATUS counters for one mailbox and for all (LIST-STATUS)', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        await append(store, a, 'INBOX', ['\\Seen'])
        await append(store, a, 'INBOX', ['\\Deleted'])
        const last = await append(store, a, 'INBOX')
        const s = await store.mailboxes.status(a, 'inbox')
        assert.ok(s)
        assert.equal(s.messageCount, 3)
        assert.equal(s.unseenCount, 2)
        assert.equal(s.deletedCount, 1)
        assert.equal(s.uidNext, 4)
        assert.equal(s.highestModseq, last.modseq)
        assert.equal(s.totalBytes, 3 * rawMessage('INBOX').length)
        const all = await store.mailboxes.listStatus(a)
        assert.deepEqual(
          all.map((b) => b.name),
          ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'],
        )
        assert.deepEqual(
          all.find((b) => b.name === 'INBOX'),
          s,
        )
        assert.equal(await store.mailboxes.status(a, 'Nope'), undefined)
      }))
  })
}
