// Contract tests for reading a body in pieces (messages.readBody) and for messages.expunge:
// one durable transaction, counters and HIGHESTMODSEQ updated, shared bodies kept until
// their last reference goes, the change feed told, UIDs never reused.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { MailboxChange, Store } from '../../../src/store/types.ts'
import { acceptInput, addAccounts, withStore, type MakeStore } from './fixture.ts'

async function inboxOf(store: Store, accountId: number) {
  const box = await store.mailboxes.get(accountId, 'INBOX')
  assert.ok(box, 'INBOX exists')
  return box
}

async function deliver(store: Store, accountIds: number[], tag: string) {
  return store.accept(
    acceptInput(
      accountIds.map((accountId) => ({ accountId, rcptTo: `<${tag}@example.test>` })),
      { tag },
    ),
  )
}

export function runExpungeContract(make: MakeStore): void {
  void describe('readBody', () => {
    void it('reads a body in pieces by mailbox and UID; undefined for a missing message', () =>
      withStore(make, async ({ store }) => {
        const [a = 0] = await addAccounts(store, ['a'])
        const r = await deliver(store, [a], 'pieces')
        const whole = await store.messages.body(r.blobId)
        assert.ok(whole)
        const box = await inboxOf(store, a)
        const pieces: Buffer[] = []
        for (let offset = 0; ; offset += 7) {
          const piece = await store.messages.readBody({
            mailboxId: box.id,
            uid: 1,
            offset,
            length: 7,
          })
          assert.ok(piece)
          if (piece.length === 0) break
          pieces.push(piece)
        }
        assert.deepEqual(Buffer.concat(pieces), whole)
        // One piece as long as the body, or longer, is the whole body; so is the tail.
        for (const length of [whole.length, whole.length + 1, 1 << 20]) {
          const ref = { mailboxId: box.id, uid: 1, length }
          assert.deepEqual(await store.messages.readBody({ ...ref, offset: 0 }), whole)
          assert.deepEqual(await store.messages.readBody({ ...ref, offset: 3 }), whole.subarray(3))
        }
        const missing = { mailboxId: box.id, uid: 2, offset: 0, length: 10 }
        assert.equal(await store.messages.readBody(missing), undefined)
      }))
  })

  void describe('expunge', () => {
    void it('removes by UID, updates counters once, frees only unshared bodies, tells the feed', () =>
      withStore(make, async ({ store }) => {
        const [a = 0, b = 0] = await addAccounts(store, ['a', 'b'])
        const shared = await deliver(store, [a, b], 'shared')
        const own = await deliver(store, [a], 'own')
        await deliver(store, [a], 'kept')
        const box = await inboxOf(store, a)
        const changes: MailboxChange[] = []
        const off = store.onChange((c) => changes.push(...c))
        const removed = await store.messages.expunge(box.id, [1, 2, 2, 99])
        off()
        assert.deepEqual(removed, [1, 2])
        const after = await inboxOf(store, a)
        assert.equal(after.messageCount, 1)
        assert.equal(after.highestModseq, box.highestModseq + 1)
        const rows = await store.messages.list(box.id)
        assert.deepEqual(
          rows.map((r) => r.uid),
          [3],
        )
        assert.equal(after.totalBytes, rows[0]?.size)
        assert.deepEqual(changes, [
          { accountId: a, mailboxId: box.id, uid: 1, kind: 'expunged' },
          { accountId: a, mailboxId: box.id, uid: 2, kind: 'expunged' },
        ])
        // The shared body still serves b; the unshared one is gone.
        assert.ok(await store.messages.body(shared.blobId))
        assert.equal(await store.messages.body(own.blobId), undefined)
        const pieceOfGone = { mailboxId: box.id, uid: 1, offset: 0, length: 10 }
        assert.equal(await store.messages.readBody(pieceOfGone), undefined)
        // UIDs are never reused.
        const next = await deliver(store, [a], 'next')
        assert.equal(next.delivered[0]?.uid, 4)
        assert.deepEqual(await store.messages.expunge(box.id, []), [])
      }))

    void it('is durable once it resolves', (t) =>
      withStore(make, async (fx) => {
        if (!fx.reopen) {
          t.skip('the engine fixture cannot reopen its database')
          return
        }
        const [a = 0] = await addAccounts(fx.store, ['a'])
        await deliver(fx.store, [a], 'one')
        await deliver(fx.store, [a], 'two')
        const box = await inboxOf(fx.store, a)
        await fx.store.messages.expunge(box.id, [1])
        const reopened = await fx.reopen()
        const rows = await reopened.messages.list(box.id)
        assert.deepEqual(
          rows.map((r) => r.uid),
          [2],
        )
        assert.equal((await inboxOf(reopened, a)).messageCount, 1)
      }))
  })
}
