// DNS lookups for everything that needs them (MX routing, SPF/DKIM/DMARC, blocklists, MTA-STS
// discovery): one injected interface, so tests answer from a DNS server on loopback they start
// (or from a table) and nothing waits on the real internet. The concrete resolver asks the
// configured servers (dns.servers; the system's when empty) with a timeout, and caches answers,
// negative ones included (RFC 2308), for a bounded time.
import { Resolver as NodeResolver } from 'node:dns/promises'

export type RrType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'PTR' | 'CNAME' | 'NS' | 'SRV'

/** An SRV answer (RFC 2782), as node's resolveSrv gives it. */
export interface SrvRecord {
  priority: number
  weight: number
  port: number
  name: string
}

export interface MxRecord {
  exchange: string
  priority: number
}

/**
 * Answers like `dns.promises.resolve(name, rrtype)` (the contract mailauth's `resolver` option
 * expects): A/AAAA → string[], MX → MxRecord[], TXT → string[][], PTR/CNAME/NS → string[],
 * SRV → SrvRecord[].
 * A missing name or type rejects with an Error whose `code` is 'ENOTFOUND' or 'ENODATA'; a
 * server that does not answer in time rejects with 'ETIMEOUT'; other failures 'ESERVFAIL'.
 */
export type ResolveFn = (name: string, rrtype: RrType) => Promise<unknown>

export interface DnsResolver {
  resolve: ResolveFn
  mx(name: string): Promise<MxRecord[]>
  a(name: string): Promise<string[]>
  aaaa(name: string): Promise<string[]>
  txt(name: string): Promise<string[][]>
  /** Reverse lookup of an IP address (PTR names). */
  reverse(ip: string): Promise<string[]>
}

/** The DNS error codes callers tell apart ("no such name/record" vs "try again later"). */
export function dnsErrorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code
    return typeof code === 'string' ? code : undefined
  }
  return undefined
}

/** True for the answers that mean "does not exist" (NXDOMAIN, or no record of that type). */
export function isDnsNotFound(err: unknown): boolean {
  const code = dnsErrorCode(err)
  return code === 'ENOTFOUND' || code === 'ENODATA'
}

export function dnsError(code: string, name: string, rrtype: string): Error {
  const err = new Error(`${rrtype} ${name}: ${code}`) as Error & { code: string }
  err.code = code
  return err
}

/** Builds the typed lookups over one ResolveFn. */
export function resolverFrom(resolve: ResolveFn): DnsResolver {
  return {
    resolve,
    mx: async (name) => (await resolve(name, 'MX')) as MxRecord[],
    a: async (name) => (await resolve(name, 'A')) as string[],
    aaaa: async (name) => (await resolve(name, 'AAAA')) as string[],
    txt: async (name) => (await resolve(name, 'TXT')) as string[][],
    reverse: async (ip) => (await resolve(reverseName(ip), 'PTR')) as string[],
  }
}

/** 192.0.2.1 → 1.2.0.192.in-addr.arpa; IPv6 → nibbles under ip6.arpa. */
export function reverseName(ip: string): string {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`
  return `${expandIpv6(ip).replace(/:/g, '').split('').reverse().join('.')}.ip6.arpa`
}

/** The full 8-group form of an IPv6 address: "2001:db8::1" → "2001:0db8:0000:...:0001". */
export function expandIpv6(ip: string): string {
  const [head = '', tail] = ip.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const fill = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0')
  return [...left, ...fill, ...right].map((g) => g.padStart(4, '0')).join(':')
}

export interface NetworkResolverOptions {
  /** "ip" or "ip:port" ("[v6]:port"); empty: the system's resolvers. */
  servers: readonly string[]
  timeoutMs: number
  /** Attempts per server. */
  tries?: number
  /** Longest a positive answer is kept (node does not report TTLs for every type). */
  maxCacheMs?: number
  /** How long "does not exist" is kept (RFC 2308 negative caching). */
  negativeCacheMs?: number
  /** Most cached answers; the oldest go first. */
  maxEntries?: number
  clock?: () => number
}

/** A resolver that asks DNS servers over the network, with an answer cache. */
export function createNetworkResolver(opts: NetworkResolverOptions): DnsResolver {
  const node = new NodeResolver({ timeout: opts.timeoutMs, tries: opts.tries ?? 2 })
  if (opts.servers.length > 0) node.setServers([...opts.servers])
  const ask: ResolveFn = async (name, rrtype) => {
    try {
      if (rrtype === 'MX') {
        const mx = await node.resolveMx(name)
        return mx.map((r) => ({ exchange: r.exchange, priority: r.priority }))
      }
      if (rrtype === 'SRV') return await node.resolveSrv(name)
      return await node.resolve(name, rrtype)
    } catch (err) {
      const code = dnsErrorCode(err)
      if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'ETIMEOUT') throw err
      throw dnsError(code === undefined ? 'ESERVFAIL' : code, name, rrtype)
    }
  }
  return resolverFrom(
    cachingResolve(ask, {
      clock: opts.clock ?? Date.now,
      maxCacheMs: opts.maxCacheMs ?? 300_000,
      negativeCacheMs: opts.negativeCacheMs ?? 60_000,
      maxEntries: opts.maxEntries ?? 10_000,
    }),
  )
}

interface CacheEntry {
  expires: number
  value?: unknown
  error?: Error
}

/**
 * Wraps a ResolveFn with a bounded cache. Answers and "not found" are cached; timeouts and
 * server failures are not (the next ask tries again). Concurrent asks for one key share the
 * one query in flight.
 */
export function cachingResolve(
  ask: ResolveFn,
  opts: { clock: () => number; maxCacheMs: number; negativeCacheMs: number; maxEntries: number },
): ResolveFn {
  const cache = new Map<string, CacheEntry>()
  const inFlight = new Map<string, Promise<unknown>>()
  const remember = (key: string, entry: CacheEntry): void => {
    cache.delete(key)
    cache.set(key, entry)
    if (cache.size > opts.maxEntries) {
      const oldest = cache.keys().next().value
      if (oldest !== undefined) cache.delete(oldest)
    }
  }
  return async (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase()}`
    const hit = cache.get(key)
    if (hit && hit.expires > opts.clock()) {
      if (hit.error !== undefined) throw hit.error
      return hit.value
    }
    const pending = inFlight.get(key)
    if (pending) return pending
    const query = ask(name, rrtype).then(
      (value) => {
        remember(key, { expires: opts.clock() + opts.maxCacheMs, value })
        return value
      },
      (error: unknown) => {
        if (error instanceof Error && isDnsNotFound(error)) {
          remember(key, { expires: opts.clock() + opts.negativeCacheMs, error })
        }
        throw error
      },
    )
    inFlight.set(key, query)
    try {
      return await query
    } finally {
      inFlight.delete(key)
    }
  }
}

/** Answers from a table (tests, and `postern` commands run without network). */
export function staticResolver(
  records: Record<string, Partial<Record<RrType, unknown>>>,
): DnsResolver {
  const byName = new Map(Object.entries(records).map(([k, v]) => [k.toLowerCase(), v]))
  return resolverFrom((name, rrtype) => {
    const entry = byName.get(name.toLowerCase().replace(/\.$/, ''))
    if (!entry) return Promise.reject(dnsError('ENOTFOUND', name, rrtype))
    const value = entry[rrtype]
    if (value === undefined) return Promise.reject(dnsError('ENODATA', name, rrtype))
    return Promise.resolve(value)
  })
}
