// Contract tests for the directory repositories (domains, accounts, aliases, mailboxes),
// run against every store engine.

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_MAILBOXES } from '../../../src/store/types.ts'
import { isStoreError } from '../../../src/store/store-error.ts'
import { DOMAIN, addAccounts, withStore, type MakeStore } from './fixture.ts'

export function runDirectoryContract(make: MakeStore): void {
  void describe('domains', () => {
    void it('adds, gets, lists (lower-cased) and refuses duplicates', () =>
      withStore(make, async ({ store }) => {
        const d = await store.domains.add('Example.TEST')
        assert.equal(d.name, DOMAIN)
        assert.ok(d.id > 0)
        assert.deepEqual(await store.domains.get('EXAMPLE.test'), d)
        await store.domains.add('b.test')
        assert.deepEqual(
          (await store.domains.list()).map((x) => x.name),
          ['b.test', DOMAIN],
        )
        await assert.rejects(store.domains.add('example.test'), (e) =>
          isStoreError(e, 'domain-exists'),
        )
        await assert.rejects(store.domains.add('bad domain'), (e) =>
          isStoreError(e, 'invalid-input'),
        )
        assert.equal(await store.domains.get('none.test'), undefined)
      }))

    void it('remove refuses while accounts or aliases exist, then removes', () =>
      withStore(make, async ({ store }) => {
        await addAccounts(store, ['u'])
        await assert.rejects(store.domains.remove(DOMAIN), (e) => isStoreError(e, 'domain-in-use'))
        assert.equal(await store.accounts.remove(`u@${DOMAIN}`), true)
        await store.aliases.add(`@${DOMAIN}`, ['x@elsewhere.test'])
        await assert.rejects(store.domains.remove(DOMAIN), (e) => isStoreError(e, 'domain-in-use'))
        assert.equal(await store.aliases.remove(`@${DOMAIN}`), true)
        assert.equal(await store.domains.remove(DOMAIN), true)
        assert.equal(await store.domains.remove(DOMAIN), false)
        assert.deepEqual(await store.domains.list(), [])
      }))
  })

  void describe('accounts', () => {
    void it('adds (lower-cased), gets by address and id, lists, changes password, removes', () =>
      withStore(make, async ({ store }) => {
        const d = await store.domains.add(DOMAIN)
        const a = await store.accounts.add({
          address: 'Alice@Example.Test',
          passwordHash: 'h1',
          quotaBytes: 1000,
        })
        assert.equal(a.address, `alice@${DOMAIN}`)
        assert.equal(a.domainId, d.id)
        assert.equal(a.quotaBytes, 1000)
        const b = await store.accounts.add({ address: `bob@${DOMAIN}`, passwordHash: 'h2' })
        assert.equal(b.quotaBytes, null)
        assert.deepEqual(await store.accounts.get('ALICE@example.test'), a)
        assert.deepEqual(await store.accounts.getById(b.id), b)
        assert.deepEqual(
          (await store.accounts.list()).map((x) => x.address),
          [`alice@${DOMAIN}`, `bob@${DOMAIN}`],
        )
        assert.equal(await store.accounts.setPassword(`alice@${DOMAIN}`, 'h3'), true)
        assert.equal((await store.accounts.get(`alice@${DOMAIN}`))?.passwordHash, 'h3')
        assert.equal(await store.accounts.setPassword(`nobody@${DOMAIN}`, 'h'), false)
        assert.equal(await store.accounts.setQuota(`alice@${DOMAIN}`, 1_000_000), true)
        assert.equal((await store.accounts.get(`alice@${DOMAIN}`))?.quotaBytes, 1_000_000)
        assert.equal((await store.mailboxes.quota(a.id)).limitBytes, 1_000_000)
        assert.equal(await store.accounts.setQuota(`alice@${DOMAIN}`, null), true)
        assert.equal((await store.accounts.get(`alice@${DOMAIN}`))?.quotaBytes, null)
        assert.equal(await store.accounts.setQuota(`nobody@${DOMAIN}`, 5), false)
        await assert.rejects(store.accounts.setQuota(`alice@${DOMAIN}`, -1), /whole number/)
        assert.equal(await store.accounts.remove(`alice@${DOMAIN}`), true)
        assert.equal(await store.accounts.remove(`alice@${DOMAIN}`), false)
        assert.equal(await store.accounts.get(`alice@${DOMAIN}`), undefined)
        assert.deepEqual(await store.mailboxes.list(a.id), [])
      }))

    void it('fails with typed errors for an unknown domain, a taken address, a bad address', () =>
      withStore(make, async ({ store }) => {
        await addAccounts(store, ['taken'])
        await assert.rejects(
          store.accounts.add({ address: 'x@unknown.test', passwordHash: 'h' }),
          (e) => isStoreError(e, 'domain-not-found'),
        )
        await assert.rejects(
          store.accounts.add({ address: `TAKEN@${DOMAIN}`, passwordHash: 'h' }),
          (e) => isStoreError(e, 'address-taken'),
        )
        await store.aliases.add(`alias@${DOMAIN}`, [`taken@${DOMAIN}`])
        await assert.rejects(
          store.accounts.add({ address: `alias@${DOMAIN}`, passwordHash: 'h' }),
          (e) => isStoreError(e, 'address-taken'),
        )
        await assert.rejects(
          store.accounts.add({ address: 'no-at-sign', passwordHash: 'h' }),
          (e) => isStoreError(e, 'invalid-input'),
        )
        assert.equal((await store.accounts.list()).length, 1)
      }))

    void it('creates the default mailboxes with special-use, UIDNEXT 1 and a UIDVALIDITY', () =>
      withStore(make, async ({ store }) => {
        const [id = 0] = await addAccounts(store, ['u'])
        const boxes = await store.mailboxes.list(id)
        assert.deepEqual(
          boxes.map((b) => [b.name, b.specialUse]),
          DEFAULT_MAILBOXES.map((m) => [m.name, m.specialUse]),
        )
        for (const b of boxes) {
          assert.equal(b.accountId, id)
          assert.equal(b.uidNext, 1)
          assert.equal(b.highestModseq, 1) // RFC 7162 3.1.1: positive even when empty
          assert.equal(b.messageCount, 0)
          assert.equal(b.totalBytes, 0)
          assert.ok(Number.isInteger(b.uidValidity) && b.uidValidity > 0)
          assert.ok(b.uidValidity < 2 ** 32)
        }
        assert.deepEqual(await store.mailboxes.get(id, 'inbox'), boxes[0])
        assert.deepEqual(await store.mailboxes.get(id, 'Junk'), boxes[3])
        assert.equal(await store.mailboxes.get(id, 'Nope'), undefined)
      }))
  })

  void describe('aliases', () => {
    void it('adds, gets, lists, removes, including a catch-all', () =>
      withStore(make, async ({ store }) => {
        await addAccounts(store, ['u'])
        const a = await store.aliases.add(`Sales@${DOMAIN}`, [`U@${DOMAIN}`, 'x@remote.test'])
        assert.equal(a.address, `sales@${DOMAIN}`)
        assert.deepEqual(a.targets, [`u@${DOMAIN}`, 'x@remote.test'])
        const c = await store.aliases.add(`@${DOMAIN}`, [`u@${DOMAIN}`])
        assert.deepEqual(await store.aliases.get(`@${DOMAIN}`), c)
        assert.deepEqual(await store.aliases.get(`SALES@${DOMAIN}`), a)
        assert.equal((await store.aliases.list()).length, 2)
        assert.equal(await store.aliases.remove(`sales@${DOMAIN}`), true)
        assert.equal(await store.aliases.remove(`sales@${DOMAIN}`), false)
        assert.deepEqual(await store.aliases.list(), [c])
      }))

    void it('fails with typed errors', () =>
      withStore(make, async ({ store }) => {
        await addAccounts(store, ['u'])
        await assert.rejects(store.aliases.add('a@unknown.test', [`u@${DOMAIN}`]), (e) =>
          isStoreError(e, 'domain-not-found'),
        )
        await assert.rejects(store.aliases.add(`u@${DOMAIN}`, ['x@remote.test']), (e) =>
          isStoreError(e, 'address-taken'),
        )
        await store.aliases.add(`a@${DOMAIN}`, [`u@${DOMAIN}`])
        await assert.rejects(store.aliases.add(`A@${DOMAIN}`, [`u@${DOMAIN}`]), (e) =>
          isStoreError(e, 'address-taken'),
        )
        await assert.rejects(store.aliases.add(`b@${DOMAIN}`, []), (e) =>
          isStoreError(e, 'invalid-input'),
        )
      }))
  })
}
