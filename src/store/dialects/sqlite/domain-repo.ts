// Domains on SQLite. Removing a domain that still has accounts or aliases is refused
// ('domain-in-use') rather than cascading: deleting mail must be an explicit step.

import type { Database, Statement } from 'better-sqlite3'
import type { Domain, DomainRepo } from '../../types.ts'
import { StoreError } from '../../store-error.ts'
import { asAsync } from './as-async.ts'
import { normaliseDomain } from './address.ts'

interface DomainRow {
  id: number
  name: string
  created_at: number
}

function toDomain(r: DomainRow): Domain {
  return { id: r.id, name: r.name, createdAt: r.created_at }
}

export class SqliteDomainRepo implements DomainRepo {
  readonly #clock: () => number
  readonly #insert: Statement<[string, number], DomainRow>
  readonly #list: Statement<[], DomainRow>
  readonly #get: Statement<[string], DomainRow>
  readonly #delete: Statement<[number]>
  readonly #accountCount: Statement<[number], { n: number }>
  readonly #aliasCount: Statement<[string], { n: number }>
  readonly #removeTx: (name: string) => boolean

  constructor(db: Database, clock: () => number) {
    this.#clock = clock
    this.#insert = db.prepare(
      'INSERT INTO domains (name, created_at) VALUES (?, ?) RETURNING id, name, created_at',
    )
    this.#list = db.prepare('SELECT id, name, created_at FROM domains ORDER BY name')
    this.#get = db.prepare('SELECT id, name, created_at FROM domains WHERE name = ?')
    this.#delete = db.prepare('DELETE FROM domains WHERE id = ?')
    this.#accountCount = db.prepare('SELECT count(*) AS n FROM accounts WHERE domain_id = ?')
    this.#aliasCount = db.prepare(
      "SELECT count(*) AS n FROM aliases WHERE substr(address, instr(address, '@') + 1) = ?",
    )
    this.#removeTx = db.transaction((name: string) => this.#removeSync(name))
  }

  add(name: string): Promise<Domain> {
    return asAsync(() => {
      const n = normaliseDomain(name)
      if (n === '' || n.includes('@') || /\s/.test(n)) {
        throw new StoreError('invalid-input', `not a domain name: ${JSON.stringify(name)}`)
      }
      if (this.#get.get(n)) throw new StoreError('domain-exists', `domain ${n} already exists`)
      const row = this.#insert.get(n, this.#clock())
      if (!row) throw new Error('domain insert returned no row')
      return toDomain(row)
    })
  }

  list(): Promise<Domain[]> {
    return asAsync(() => this.#list.all().map(toDomain))
  }

  get(name: string): Promise<Domain | undefined> {
    return asAsync(() => {
      const row = this.#get.get(normaliseDomain(name))
      return row ? toDomain(row) : undefined
    })
  }

  /** Throws 'domain-in-use' while accounts or aliases of the domain exist. */
  remove(name: string): Promise<boolean> {
    return asAsync(() => this.#removeTx(normaliseDomain(name)))
  }

  #removeSync(name: string): boolean {
    const row = this.#get.get(name)
    if (!row) return false
    const accounts = this.#accountCount.get(row.id)?.n ?? 0
    const aliases = this.#aliasCount.get(name)?.n ?? 0
    if (accounts > 0 || aliases > 0) {
      throw new StoreError(
        'domain-in-use',
        `domain ${name} still has ${accounts} account(s) and ${aliases} alias(es)`,
      )
    }
    this.#delete.run(row.id)
    return true
  }
}
