// Contract tests for store.accept (stored once, linked into every mailbox, queued for
// remote recipients, group commit, per-request failure), the change feed and durability.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { AcceptInput, MailboxChange, Store } from '../../../src/store/types.ts'
import { isStoreError } from '../../../src/store/store-error.ts'
import { acceptInput, addAccounts, rawMessage, withStore, type MakeStore } from './fixture.ts'

async function inbox(store: Store, accountId: number) {
  const box = await store.mailboxes.get(accountId, 'INBOX')
  assert.ok(box, 'INBOX exists')
  return box
}

/** Asserts UIDs 1..n without gaps and counters that match the rows. */
async function assertConsistent(store: Store, accountId: number, n: number): Promise<void> {
  const box = await inbox(store, accountId)
  const rows = await store.messages.list(box.id)
  assert.deepEqual(
    rows.map((r) => r.uid),
    Array.from({ length: n }, (_, i) => i + 1),
  )
  assert.equal(box.uidNext, n + 1)
  assert.equal(box.messageCount, n)
  // An empty mailbox starts at MODSEQ 1 (RFC 7162: positive), each message adds one.
  assert.equal(box.highestModseq, n + 1)
  assert.equal(new Set(rows.map((r) => r.modseq)).size, n)
  assert.equal(
    box.totalBytes,
    rows.reduce((s, r) => s + r.size, 0),
  )
}

export function runAcceptContract(make: MakeStore): void {
  void describe('accept', () => {
    void it('stores the body once and links it into three mailboxes with consistent counters', () =>
      withStore(make, async ({ store }) => {
        const ids = await addAccounts(store, ['a', 'b', 'c'])
        const input = acceptInput(
          ids.map((accountId, i) => ({
            accountId,
            rcptTo: `<x${i}@example.test>`,
            dsn: { notify: ['SUCCESS', 'FAILURE'], orcpt: `rfc822;x${i}@example.test` },
          })),
        )
        input.dsn = { ret: 'HDRS', envid: 'env-1' }
        const r1 = await store.accept(input)
        assert.equal(r1.queuedId, null)
        assert.equal(r1.delivered.length, 3)
        assert.deepEqual((await store.messages.body(r1.blobId))?.toString(), input.raw.toString())
        for (const [i, accountId] of ids.entries()) {
          const box = await inbox(store, accountId)
          assert.deepEqual(r1.delivered[i], { accountId, mailboxId: box.id, uid: 1 })
          const [row, ...rest] = await store.messages.list(box.id)
          assert.equal(rest.length, 0)
          assert.ok(row)
          assert.equal(row.blobId, r1.blobId)
          assert.deepEqual(row.flags, [])
          assert.equal(row.size, input.raw.length)
          assert.equal(row.internalDate, input.receivedAt)
          assert.equal(row.modseq, 2)
          assert.deepEqual(await store.messages.envelope(row.id), {
            mailFrom: 'a@sender.test',
            dsn: { ret: 'HDRS', envid: 'env-1' },
            rcptTo: `<x${i}@example.test>`,
            rcptDsn: { notify: ['SUCCESS', 'FAILURE'], orcpt: `rfc822;x${i}@example.test` },
          })
        }
        const r2 = await store.accept(
          acceptInput(ids.map((accountId) => ({ accountId, rcptTo: 'x' }))),
        )
        assert.notEqual(r2.blobId, r1.blobId)
        assert.deepEqual(
          r2.delivered.map((d) => d.uid),
          [2, 2, 2],
        )
        for (const id of ids) await assertConsistent(store, id, 2)
        assert.equal(await store.messages.countAll(), 6)
      }))

    void it('delivers into a named mailbox and rejects an unknown one', () =>
      withStore(make, async ({ store }) => {
        const [id = 0] = await addAccounts(store, ['u'])
        const r = await store.accept(acceptInput([{ accountId: id, mailbox: 'Junk', rcptTo: 'u' }]))
        const junk = await store.mailboxes.get(id, 'Junk')
        assert.equal(r.delivered[0]?.mailboxId, junk?.id)
        assert.equal(junk?.messageCount, 1)
        assert.equal((await inbox(store, id)).messageCount, 0)
        await assert.rejects(
          store.accept(acceptInput([{ accountId: id, mailbox: 'Nope', rcptTo: 'u' }])),
          (e) => isStoreError(e, 'mailbox-not-found'),
        )
        await assert.rejects(store.accept(acceptInput([])), (e) => isStoreError(e, 'invalid-input'))
        assert.equal(await store.messages.countAll(), 1)
      }))

    void it('queues one row per remote recipient', () =>
      withStore(make, async ({ store }) => {
        const [id = 0] = await addAccounts(store, ['u'])
        const r = await store.accept(
          acceptInput([{ accountId: id, rcptTo: 'u' }], {
            remote: [
              { address: 'x@remote.test', dsn: { notify: ['NEVER'] } },
              { address: 'Y@remote.test' },
            ],
          }),
        )
        assert.ok(r.queuedId !== null)
        const rcpts = await store.queue.listRecipients()
        assert.deepEqual(
          rcpts.map((q) => [q.queueId, q.address, q.state]),
          [
            [r.queuedId, 'x@remote.test', 'scheduled'],
            [r.queuedId, 'Y@remote.test', 'scheduled'],
          ],
        )
        const only = await store.accept(acceptInput([], { remote: [{ address: 'z@remote.test' }] }))
        assert.deepEqual(only.delivered, [])
        assert.ok(only.queuedId !== null && only.queuedId !== r.queuedId)
        assert.equal((await store.queue.listRecipients()).length, 3)
        assert.ok(await store.messages.body(only.blobId))
      }))

    void it('the queued message needs SMTPUTF8 for a non-ASCII address or when asked', () =>
      withStore(make, async ({ store }) => {
        const queued = async (input: AcceptInput): Promise<boolean | undefined> => {
          const r = await store.accept(input)
          return r.queuedId === null ? undefined : (await store.queue.message(r.queuedId))?.smtputf8
        }
        const remote = (address: string): AcceptInput['remote'] => [{ address }]
        assert.equal(await queued(acceptInput([], { remote: remote('z@remote.test') })), false)
        assert.equal(await queued(acceptInput([], { remote: remote('dörte@remote.test') })), true)
        // An RFC 6533 DSN of SMTPUTF8 mail to an ASCII sender (src/queue/dsn-sender.ts).
        const asked = { ...acceptInput([], { remote: remote('z@remote.test') }), smtputf8: true }
        assert.equal(await queued(asked), true)
      }))

    void it('removing an account releases bodies no one else references', () =>
      withStore(make, async ({ store }) => {
        const [a = 0, b = 0] = await addAccounts(store, ['a', 'b'])
        const solo = await store.accept(acceptInput([{ accountId: a, rcptTo: 'a' }]))
        const shared = await store.accept(
          acceptInput([
            { accountId: a, rcptTo: 'a' },
            { accountId: b, rcptTo: 'b' },
          ]),
        )
        await store.accounts.remove('a@example.test')
        assert.equal(await store.messages.body(solo.blobId), undefined)
        assert.ok(await store.messages.body(shared.blobId))
        assert.equal(await store.messages.countAll(), 1)
      }))
  })

  void describe('group commit', () => {
    void it('200 concurrent accepts all resolve, share commits, and get gapless UIDs', (t) =>
      withStore(make, async ({ store, commitCount }) => {
        if (!commitCount) {
          t.skip('engine exposes no commit counter')
          return
        }
        const [a = 0, b = 0] = await addAccounts(store, ['a', 'b'])
        const before = commitCount()
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            store.accept(
              acceptInput(
                i % 2 === 0
                  ? [{ accountId: a, rcptTo: 'a' }]
                  : [
                      { accountId: a, rcptTo: 'a' },
                      { accountId: b, rcptTo: 'b' },
                    ],
                { tag: `m${i}` },
              ),
            ),
          ),
        )
        const commits = commitCount() - before
        assert.equal(results.length, 200)
        assert.ok(commits >= 1 && commits < 200, `commits: ${commits}`)
        assert.equal(new Set(results.map((r) => r.blobId)).size, 200)
        await assertConsistent(store, a, 200)
        await assertConsistent(store, b, 100)
        assert.equal(await store.messages.countAll(), 300)
      }))

    void it('a failing request rejects alone; its partial writes are rolled back', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        const ok1 = store.accept(acceptInput([{ accountId: a, rcptTo: 'a' }], { tag: 'ok1' }))
        const bad = store.accept(acceptInput([{ accountId: 999_999, rcptTo: 'nobody' }]))
        // Delivered to a first, then fails: that first delivery must not survive.
        const half = store.accept(
          acceptInput([
            { accountId: a, rcptTo: 'a' },
            { accountId: a, mailbox: 'Missing', rcptTo: 'a' },
          ]),
        )
        const ok2 = store.accept(acceptInput([{ accountId: a, rcptTo: 'a' }], { tag: 'ok2' }))
        const [r1, rBad, rHalf, r2] = await Promise.allSettled([ok1, bad, half, ok2])
        assert.equal(r1.status, 'fulfilled')
        assert.equal(r2.status, 'fulfilled')
        assert.ok(rBad.status === 'rejected' && isStoreError(rBad.reason, 'account-not-found'))
        assert.ok(rHalf.status === 'rejected' && isStoreError(rHalf.reason, 'mailbox-not-found'))
        await assertConsistent(store, a, 2)
        const rows = await store.messages.list((await inbox(store, a)).id)
        const bodies = await Promise.all(rows.map((r) => store.messages.body(r.blobId)))
        assert.deepEqual(
          bodies.map((b) => b?.toString()),
          [rawMessage('ok1').toString(), rawMessage('ok2').toString()],
        )
      }))
  })

  void describe('change feed and lifecycle', () => {
    void it('tells listeners after commit, until they unsubscribe', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        const seen: MailboxChange[][] = []
        const off = store.onChange((c) => seen.push(c))
        const r = await store.accept(acceptInput([{ accountId: a, rcptTo: 'a' }]))
        assert.deepEqual(seen, [r.delivered.map((d) => ({ ...d, kind: 'appended' }))])
        off()
        await store.accept(acceptInput([{ accountId: a, rcptTo: 'a' }]))
        assert.equal(seen.length, 1)
      }))

    void it('keeps the data across close and reopen', (t) =>
      withStore(make, async ({ store, reopen }) => {
        if (!reopen) {
          t.skip('engine cannot reopen its database')
          return
        }
        const [a = 0] = await addAccounts(store, ['a'])
        const r = await store.accept(acceptInput([{ accountId: a, rcptTo: 'a' }], { tag: 'keep' }))
        const again = await reopen()
        assert.equal((await again.accounts.getById(a))?.address, 'a@example.test')
        assert.equal(
          (await again.messages.body(r.blobId))?.toString(),
          rawMessage('keep').toString(),
        )
        await assertConsistent(again, a, 1)
        const r2 = await again.accept(acceptInput([{ accountId: a, rcptTo: 'a' }]))
        assert.equal(r2.delivered[0]?.uid, 2)
      }))

    void it('rejects accept after close', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        const pending = store.accept(acceptInput([{ accountId: a, rcptTo: 'a' }]))
        await store.close()
        await pending
        await assert.rejects(store.accept(acceptInput([{ accountId: a, rcptTo: 'a' }])), (e) =>
          isStoreError(e, 'closed'),
        )
      }))
  })
}
