// SQLite implementation of ScramCredentialRepo (src/store/types-scram.ts). Writes go through
// the store's group committer (on disk before set() resolves); a secret is returned only while
// the account's password hash is still the one it was stored with.
import type Database from 'better-sqlite3'
import type { ScramCredentialRepo } from '../../types-scram.ts'
import { normaliseAddress } from './address.ts'
import type { SubmitWrite } from './store-write.ts'

export class SqliteScramRepo implements ScramCredentialRepo {
  readonly #submit: SubmitWrite
  readonly #clock: () => number
  readonly #upsert: Database.Statement<[number, string, string, number]>
  readonly #account: Database.Statement<[string], { id: number; password_hash: string }>
  readonly #get: Database.Statement<[number], { sha256: string }>

  constructor(db: Database.Database, opts: { submit: SubmitWrite; clock: () => number }) {
    this.#submit = opts.submit
    this.#clock = opts.clock
    this.#upsert = db.prepare(
      `INSERT INTO scram_credentials (account_id, sha256, password_hash, updated_at)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET sha256 = excluded.sha256,
         password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
    )
    this.#account = db.prepare('SELECT id, password_hash FROM accounts WHERE address = ?')
    this.#get = db.prepare(
      `SELECT s.sha256 FROM scram_credentials s JOIN accounts a ON a.id = s.account_id
       WHERE s.account_id = ? AND s.password_hash = a.password_hash`,
    )
  }

  set(address: string, input: { passwordHash: string; secret: string }): Promise<boolean> {
    return this.#submit(() => {
      const account = this.#account.get(normaliseAddress(address))
      if (account?.password_hash !== input.passwordHash) return { value: false, changes: [] }
      this.#upsert.run(account.id, input.secret, input.passwordHash, this.#clock())
      return { value: true, changes: [] }
    })
  }

  get(accountId: number): Promise<string | undefined> {
    return Promise.resolve().then(() => this.#get.get(accountId)?.sha256)
  }
}
