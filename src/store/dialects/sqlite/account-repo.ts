// Accounts on SQLite. Adding an account creates its default mailboxes (RFC 6154
// special-use) in the same transaction; removing one cascades to its mailboxes and
// messages (message bodies are released by the refcount triggers).

import type { Database, Statement } from 'better-sqlite3'
import { DEFAULT_MAILBOXES, type Account, type AccountRepo } from '../../types.ts'
import { StoreError } from '../../store-error.ts'
import { asAsync } from './as-async.ts'
import { domainOf, normaliseAddress } from './address.ts'

interface AccountRow {
  id: number
  address: string
  domain_id: number
  password_hash: string
  quota_bytes: number | null
  created_at: number
}

interface AddInput {
  address: string
  passwordHash: string
  quotaBytes?: number | null
}

const columns = 'id, address, domain_id, password_hash, quota_bytes, created_at'

function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    address: r.address,
    domainId: r.domain_id,
    passwordHash: r.password_hash,
    quotaBytes: r.quota_bytes,
    createdAt: r.created_at,
  }
}

export class SqliteAccountRepo implements AccountRepo {
  readonly #clock: () => number
  readonly #insert: Statement<[string, number, string, number | null, number], AccountRow>
  readonly #insertMailbox: Statement<[number, string, string, number]>
  readonly #domainId: Statement<[string], { id: number }>
  readonly #aliasExists: Statement<[string], { id: number }>
  readonly #list: Statement<[], AccountRow>
  readonly #get: Statement<[string], AccountRow>
  readonly #getById: Statement<[number], AccountRow>
  readonly #delete: Statement<[string]>
  readonly #setPassword: Statement<[string, string]>
  readonly #setQuota: Statement<[number | null, string]>
  readonly #addTx: (input: AddInput) => Account

  constructor(db: Database, clock: () => number) {
    this.#clock = clock
    this.#insert = db.prepare(
      `INSERT INTO accounts (address, domain_id, password_hash, quota_bytes, created_at)
       VALUES (?, ?, ?, ?, ?) RETURNING ${columns}`,
    )
    this.#insertMailbox = db.prepare(
      `INSERT INTO mailboxes (account_id, name, special_use, uid_validity, uid_next)
       VALUES (?, ?, ?, ?, 1)`,
    )
    this.#domainId = db.prepare('SELECT id FROM domains WHERE name = ?')
    this.#aliasExists = db.prepare('SELECT id FROM aliases WHERE address = ?')
    this.#list = db.prepare(`SELECT ${columns} FROM accounts ORDER BY address`)
    this.#get = db.prepare(`SELECT ${columns} FROM accounts WHERE address = ?`)
    this.#getById = db.prepare(`SELECT ${columns} FROM accounts WHERE id = ?`)
    this.#delete = db.prepare('DELETE FROM accounts WHERE address = ?')
    this.#setPassword = db.prepare('UPDATE accounts SET password_hash = ? WHERE address = ?')
    this.#setQuota = db.prepare('UPDATE accounts SET quota_bytes = ? WHERE address = ?')
    this.#addTx = db.transaction((input: AddInput) => this.#addSync(input))
  }

  /** Throws 'domain-not-found', 'address-taken' (account or alias) or 'invalid-input'. */
  add(input: AddInput): Promise<Account> {
    return asAsync(() => this.#addTx(input))
  }

  #addSync(input: AddInput): Account {
    const address = normaliseAddress(input.address)
    const domain = domainOf(address)
    if (address.startsWith('@')) {
      throw new StoreError('invalid-input', `account address needs a local part: ${address}`)
    }
    const domainId = this.#domainId.get(domain)?.id
    if (domainId === undefined) {
      throw new StoreError('domain-not-found', `domain ${domain} does not exist`)
    }
    if (this.#get.get(address) || this.#aliasExists.get(address)) {
      throw new StoreError('address-taken', `address ${address} is already in use`)
    }
    const now = this.#clock()
    const row = this.#insert.get(
      address,
      domainId,
      input.passwordHash,
      input.quotaBytes ?? null,
      now,
    )
    if (!row) throw new Error('account insert returned no row')
    // RFC 3501 2.3.1.1: UIDVALIDITY, a 32-bit value; seconds since the epoch.
    const uidValidity = Math.max(1, Math.floor(now / 1000) >>> 0)
    for (const mb of DEFAULT_MAILBOXES) {
      this.#insertMailbox.run(row.id, mb.name, mb.specialUse, uidValidity)
    }
    return toAccount(row)
  }

  list(): Promise<Account[]> {
    return asAsync(() => this.#list.all().map(toAccount))
  }

  remove(address: string): Promise<boolean> {
    return asAsync(() => this.#delete.run(normaliseAddress(address)).changes > 0)
  }

  setPassword(address: string, passwordHash: string): Promise<boolean> {
    return asAsync(() => this.#setPassword.run(passwordHash, normaliseAddress(address)).changes > 0)
  }

  /** Throws 'invalid-input' for a negative or fractional quota. */
  setQuota(address: string, quotaBytes: number | null): Promise<boolean> {
    return asAsync(() => {
      if (quotaBytes !== null && (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0)) {
        throw new StoreError(
          'invalid-input',
          `quota must be a whole number of bytes: ${quotaBytes}`,
        )
      }
      return this.#setQuota.run(quotaBytes, normaliseAddress(address)).changes > 0
    })
  }

  get(address: string): Promise<Account | undefined> {
    return asAsync(() => {
      const row = this.#get.get(normaliseAddress(address))
      return row ? toAccount(row) : undefined
    })
  }

  getById(id: number): Promise<Account | undefined> {
    return asAsync(() => {
      const row = this.#getById.get(id)
      return row ? toAccount(row) : undefined
    })
  }
}
