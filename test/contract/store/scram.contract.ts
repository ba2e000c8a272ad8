// Contract tests for the SCRAM-SHA-256 credential repository, run against every store engine.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DOMAIN, withStore, type MakeStore } from './fixture.ts'

export function runScramContract(make: MakeStore): void {
  void describe('scram credentials', () => {
    void it('stores a secret beside its password hash; a changed password makes it stale', () =>
      withStore(make, async ({ store }) => {
        await store.domains.add(DOMAIN)
        const address = `u@${DOMAIN}`
        const { id } = await store.accounts.add({ address, passwordHash: 'hash-1' })
        assert.equal(await store.scram.get(id), undefined)
        assert.equal(
          await store.scram.set(address, { passwordHash: 'hash-0', secret: 's0' }),
          false,
        )
        assert.equal(
          await store.scram.set(`U@${DOMAIN}`, { passwordHash: 'hash-1', secret: 's1' }),
          true,
        )
        assert.equal(await store.scram.get(id), 's1')
        assert.equal(await store.scram.set(address, { passwordHash: 'hash-1', secret: 's2' }), true)
        assert.equal(await store.scram.get(id), 's2')
        await store.accounts.setPassword(address, 'hash-2')
        assert.equal(await store.scram.get(id), undefined, 'stale after a password change')
        assert.equal(
          await store.scram.set(`none@${DOMAIN}`, { passwordHash: 'x', secret: 's' }),
          false,
        )
        // Removing the account removes its secret (a new account never inherits it).
        await store.accounts.remove(address)
        const again = await store.accounts.add({ address, passwordHash: 'hash-2' })
        assert.equal(await store.scram.get(again.id), undefined)
      }))
  })
}
