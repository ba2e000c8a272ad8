// What a store engine gives the contract suite: a fresh store per test, and optional
// hooks for the tests that need them (reopen for durability, a commit counter for group
// commit). Tests that need a missing hook are skipped with the reason.

import type { AcceptInput, Store } from '../../../src/store/types.ts'

export interface StoreFixture {
  store: Store
  /** Closes whatever is open and removes the test's data. */
  cleanup: () => Promise<void>
  /** Closes the current store and opens the same database again. */
  reopen?: () => Promise<Store>
  /** COMMITs done by accept() so far. */
  commitCount?: () => number
}

export type MakeStore = () => Promise<StoreFixture>

export const DOMAIN = 'example.test'

/** A small CRLF message whose body names `tag`. */
export function rawMessage(tag: string): Buffer {
  return Buffer.from(
    `From: a@sender.test\r\nTo: x@${DOMAIN}\r\nSubject: ${tag}\r\n\r\nbody ${tag}\r\n`,
  )
}

export function acceptInput(
  local: AcceptInput['local'],
  opts: { tag?: string; remote?: AcceptInput['remote'] } = {},
): AcceptInput {
  return {
    raw: rawMessage(opts.tag ?? 'msg'),
    receivedAt: 1_700_000_000_000,
    mailFrom: 'a@sender.test',
    local,
    remote: opts.remote ?? [],
  }
}

/** Runs `fn` with a fresh fixture and always cleans up. */
export async function withStore(
  make: MakeStore,
  fn: (fx: StoreFixture) => Promise<void>,
): Promise<void> {
  const fx = await make()
  try {
    await fn(fx)
  } finally {
    await fx.cleanup()
  }
}

/** Adds the test domain and one account per local part; returns the account ids. */
export async function addAccounts(store: Store, locals: string[]): Promise<number[]> {
  if (!(await store.domains.get(DOMAIN))) await store.domains.add(DOMAIN)
  const ids: number[] = []
  for (const local of locals) {
    const a = await store.accounts.add({ address: `${local}@${DOMAIN}`, passwordHash: 'x' })
    ids.push(a.id)
  }
  return ids
}
