// Local routing: which accounts, and which remote addresses, an envelope recipient of a local
// domain stands for. Aliases come first (as Postfix's virtual_alias_maps), then accounts, then
// sub-addressing (user+tag@domain → user@domain, RFC 5233), then the domain's catch-all
// (`@domain`). Alias targets are expanded recursively, with a depth limit and loop detection.
// An SRS address of a local domain (a bounce of mail we forwarded, src/srs/srs.ts) routes back
// to the original sender when its hash and age are valid, and is unknown otherwise.
import type { Store } from '../store/types.ts'
import type { SrsReverse } from '../srs/srs.ts'

export interface LocalTarget {
  accountId: number
  /** The account's address. */
  address: string
}

export type Route =
  | { kind: 'local'; accounts: LocalTarget[]; remote: string[] }
  | { kind: 'unknown-local' }
  | { kind: 'not-local' }

export interface RouterOptions {
  store: Pick<Store, 'domains' | 'accounts' | 'aliases'>
  /** Sub-address separator; '' turns sub-addressing off. */
  plusSeparator: string
  /** Reverses SRS addresses; absent: SRS addresses are ordinary local parts. */
  srs?: { reverse(address: string): SrsReverse }
}

/** Alias chains deeper than this are a configuration loop, not a route. */
const MAX_ALIAS_DEPTH = 10

export class Router {
  readonly #store: RouterOptions['store']
  readonly #separator: string
  readonly #srs: RouterOptions['srs']

  constructor(opts: RouterOptions) {
    this.#store = opts.store
    this.#separator = opts.plusSeparator
    this.#srs = opts.srs
  }

  async isLocalDomain(domain: string): Promise<boolean> {
    return (await this.#store.domains.get(domain.toLowerCase())) !== undefined
  }

  /** Resolves one envelope recipient (`local@domain`, domain already known or not). */
  async route(address: string): Promise<Route> {
    const at = address.lastIndexOf('@')
    const domain = address.slice(at + 1).toLowerCase()
    if (at < 1 || !(await this.isLocalDomain(domain))) return { kind: 'not-local' }
    const srs = this.#srs?.reverse(address)
    if (srs !== undefined && srs.kind !== 'not-srs') {
      // A bounce to a forwarded message goes back to its sender; a forged one goes nowhere.
      return srs.kind === 'ok'
        ? { kind: 'local', accounts: [], remote: [srs.address] }
        : { kind: 'unknown-local' }
    }
    const acc: Expansion = { accounts: new Map(), remote: new Set(), seen: new Set() }
    const found = await this.#expand(`${address.slice(0, at).toLowerCase()}@${domain}`, acc, 0)
    // An alias whose targets all lead nowhere delivers nowhere: treat it as unknown.
    if (!found || (acc.accounts.size === 0 && acc.remote.size === 0))
      return { kind: 'unknown-local' }
    return { kind: 'local', accounts: [...acc.accounts.values()], remote: [...acc.remote] }
  }

  /** Adds the targets of a local address to `acc`; false when nothing answers to it. */
  async #expand(address: string, acc: Expansion, depth: number): Promise<boolean> {
    if (depth > MAX_ALIAS_DEPTH || acc.seen.has(address)) return depth > 0
    acc.seen.add(address)
    const at = address.lastIndexOf('@')
    const local = address.slice(0, at)
    const domain = address.slice(at + 1)
    const candidates = [address]
    const plus = this.#separator === '' ? -1 : local.indexOf(this.#separator)
    if (plus > 0) candidates.push(`${local.slice(0, plus)}@${domain}`)
    for (const candidate of candidates) {
      const alias = await this.#store.aliases.get(candidate)
      if (alias) {
        await this.#expandTargets(alias.targets, acc, depth)
        return true
      }
      const account = await this.#store.accounts.get(candidate)
      if (account) {
        acc.accounts.set(account.id, { accountId: account.id, address: account.address })
        return true
      }
    }
    const catchAll = await this.#store.aliases.get(`@${domain}`)
    if (!catchAll) return false
    await this.#expandTargets(catchAll.targets, acc, depth)
    return true
  }

  async #expandTargets(targets: string[], acc: Expansion, depth: number): Promise<void> {
    for (const target of targets) {
      const lower = target.toLowerCase()
      const domain = lower.slice(lower.lastIndexOf('@') + 1)
      if (await this.isLocalDomain(domain)) await this.#expand(lower, acc, depth + 1)
      else acc.remote.add(target)
    }
  }
}

interface Expansion {
  accounts: Map<number, LocalTarget>
  remote: Set<string>
  seen: Set<string>
}
