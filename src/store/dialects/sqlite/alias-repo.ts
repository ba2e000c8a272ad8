// Aliases on SQLite: `local@domain`, or `@domain` for a catch-all, with a JSON array of
// target addresses. The alias's domain must exist and the address must not be an account.

import type { Database, Statement } from 'better-sqlite3'
import type { Alias, AliasRepo } from '../../types.ts'
import { StoreError } from '../../store-error.ts'
import { asAsync } from './as-async.ts'
import { domainOf, normaliseAddress } from './address.ts'

interface AliasRow {
  id: number
  address: string
  targets: string
  created_at: number
}

const columns = 'id, address, targets, created_at'

function toAlias(r: AliasRow): Alias {
  return {
    id: r.id,
    address: r.address,
    targets: JSON.parse(r.targets) as string[],
    createdAt: r.created_at,
  }
}

export class SqliteAliasRepo implements AliasRepo {
  readonly #clock: () => number
  readonly #insert: Statement<[string, string, number], AliasRow>
  readonly #list: Statement<[], AliasRow>
  readonly #get: Statement<[string], AliasRow>
  readonly #delete: Statement<[string]>
  readonly #domainExists: Statement<[string], { id: number }>
  readonly #accountExists: Statement<[string], { id: number }>
  readonly #addTx: (address: string, targets: string[]) => Alias

  constructor(db: Database, clock: () => number) {
    this.#clock = clock
    this.#insert = db.prepare(
      `INSERT INTO aliases (address, targets, created_at) VALUES (?, ?, ?) RETURNING ${columns}`,
    )
    this.#list = db.prepare(`SELECT ${columns} FROM aliases ORDER BY address`)
    this.#get = db.prepare(`SELECT ${columns} FROM aliases WHERE address = ?`)
    this.#delete = db.prepare('DELETE FROM aliases WHERE address = ?')
    this.#domainExists = db.prepare('SELECT id FROM domains WHERE name = ?')
    this.#accountExists = db.prepare('SELECT id FROM accounts WHERE address = ?')
    this.#addTx = db.transaction((address: string, targets: string[]) =>
      this.#addSync(address, targets),
    )
  }

  /** Throws 'domain-not-found', 'address-taken' or 'invalid-input' (no targets). */
  add(address: string, targets: string[]): Promise<Alias> {
    return asAsync(() => this.#addTx(address, targets))
  }

  #addSync(rawAddress: string, rawTargets: string[]): Alias {
    const address = normaliseAddress(rawAddress)
    const domain = domainOf(address)
    const targets = [...new Set(rawTargets.map(normaliseAddress))]
    if (targets.length === 0) {
      throw new StoreError('invalid-input', `alias ${address} needs at least one target`)
    }
    for (const t of targets) domainOf(t)
    if (!this.#domainExists.get(domain)) {
      throw new StoreError('domain-not-found', `domain ${domain} does not exist`)
    }
    if (this.#get.get(address) || this.#accountExists.get(address)) {
      throw new StoreError('address-taken', `address ${address} is already in use`)
    }
    const row = this.#insert.get(address, JSON.stringify(targets), this.#clock())
    if (!row) throw new Error('alias insert returned no row')
    return toAlias(row)
  }

  list(): Promise<Alias[]> {
    return asAsync(() => this.#list.all().map(toAlias))
  }

  remove(address: string): Promise<boolean> {
    return asAsync(() => this.#delete.run(normaliseAddress(address)).changes > 0)
  }

  get(address: string): Promise<Alias | undefined> {
    return asAsync(() => {
      const row = this.#get.get(normaliseAddress(address))
      return row ? toAlias(row) : undefined
    })
  }
}
