// MTA-STS policy discovery and caching (RFC 8461 3, 5): the `_mta-sts.<domain>` TXT record
// says a policy exists and names its version (id); the policy itself comes over HTTPS from
// https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 3.3: certificate valid for that
// name, no redirects, status 200, text/plain, a size limit) and is kept in memory until its
// max_age passes or the TXT id changes. When the TXT record exists but the policy cannot be
// fetched, a still-valid cached policy is used, else delivery goes on as if the domain had no
// policy (RFC 8461 5). Concurrent lookups for one domain share one fetch.
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { isDnsNotFound, dnsErrorCode, type DnsResolver } from '../dns/resolver.ts'
import { parsePolicy, pickStsRecordId, type MtaStsPolicy } from './mta-sts.ts'

export interface FetchedPolicy {
  status: number
  contentType: string
  body: string
}

/** Fetches one URL over HTTPS (injected so tests can answer without a network). */
export type PolicyFetcher = (url: string) => Promise<FetchedPolicy>

export interface CachedPolicy {
  id: string
  policy: MtaStsPolicy
  fetchedAt: number
  expiresAt: number
}

export interface PolicyLookup {
  /** The policy to apply; undefined when the domain has none (or none could be had). */
  policy?: CachedPolicy
  /** What happened, for the delivery log. */
  log: string[]
}

export interface MtaStsPolicyCacheOptions {
  resolver: DnsResolver
  fetcher: PolicyFetcher
  clock?: () => number
  /** Most domains kept; the least recently stored go first. */
  maxEntries?: number
}

export class MtaStsPolicyCache {
  readonly #opts: MtaStsPolicyCacheOptions
  readonly #clock: () => number
  readonly #cache = new Map<string, CachedPolicy>()
  readonly #inFlight = new Map<string, Promise<PolicyLookup>>()

  constructor(opts: MtaStsPolicyCacheOptions) {
    this.#opts = opts
    this.#clock = opts.clock ?? Date.now
  }

  /** The policy for a recipient domain (lower case). */
  async lookup(domain: string): Promise<PolicyLookup> {
    const pending = this.#inFlight.get(domain)
    if (pending) return pending
    const work = this.#lookup(domain)
    this.#inFlight.set(domain, work)
    try {
      return await work
    } finally {
      this.#inFlight.delete(domain)
    }
  }

  /** Forgets a domain's policy (after an enforce failure, so the next try refetches). */
  invalidate(domain: string): void {
    this.#cache.delete(domain)
  }

  /** The cached entry, if any (valid or not): for tests and diagnostics. */
  peek(domain: string): CachedPolicy | undefined {
    return this.#cache.get(domain)
  }

  async #lookup(domain: string): Promise<PolicyLookup> {
    const log: string[] = []
    const now = this.#clock()
    const cached = this.#cache.get(domain)
    const valid = cached !== undefined && cached.expiresAt > now ? cached : undefined
    const id = await this.#recordId(domain, log)
    if (id === undefined) {
      // RFC 8461 5: no (usable) TXT record: a cached, unexpired policy still applies.
      if (valid) log.push(`MTA-STS: using cached policy id=${valid.id}`)
      return valid ? { policy: valid, log } : { log }
    }
    if (valid?.id === id) return { policy: valid, log }
    const url = `https://mta-sts.${domain}/.well-known/mta-sts.txt`
    try {
      const policy = await this.#fetch(url)
      const entry: CachedPolicy = {
        id,
        policy,
        fetchedAt: now,
        expiresAt: now + policy.maxAge * 1000,
      }
      this.#remember(domain, entry)
      log.push(`MTA-STS: fetched policy id=${id} mode=${policy.mode} mx=${policy.mx.join(',')}`)
      return { policy: entry, log }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      log.push(`MTA-STS: policy fetch from ${url} failed: ${reason}`)
      // RFC 8461 5: a failed fetch with no valid cached policy = deliver as without MTA-STS.
      return valid ? { policy: valid, log } : { log }
    }
  }

  async #recordId(domain: string, log: string[]): Promise<string | undefined> {
    try {
      const records = await this.#opts.resolver.txt(`_mta-sts.${domain}`)
      const id = pickStsRecordId(records)
      if (id === undefined) log.push(`MTA-STS: no valid record at _mta-sts.${domain}`)
      return id
    } catch (err) {
      if (!isDnsNotFound(err)) {
        log.push(`MTA-STS: TXT _mta-sts.${domain}: ${dnsErrorCode(err) ?? 'error'}`)
      }
      return undefined
    }
  }

  async #fetch(url: string): Promise<MtaStsPolicy> {
    const res = await this.#opts.fetcher(url)
    // RFC 8461 3.3: only 200, no redirects, media type text/plain.
    if (res.status !== 200) throw new Error(`HTTP status ${String(res.status)}`)
    if (!/^text\/plain\s*(;|$)/i.test(res.contentType)) {
      throw new Error(`content type ${res.contentType || '(none)'} is not text/plain`)
    }
    return parsePolicy(res.body)
  }

  #remember(domain: string, entry: CachedPolicy): void {
    this.#cache.delete(domain)
    this.#cache.set(domain, entry)
    const max = this.#opts.maxEntries ?? 10_000
    while (this.#cache.size > max) {
      const oldest = this.#cache.keys().next().value
      if (oldest === undefined) break
      this.#cache.delete(oldest)
    }
  }
}

export interface HttpsFetcherOptions {
  /** Whole request budget (RFC 8461 3.3 leaves it to the sender). Default 10 s. */
  timeoutMs?: number
  /** Largest body accepted (RFC 8461 3.3 suggests 64 KB). */
  maxBytes?: number
  /** Trust anchors instead of the system's (tests: the test CA). */
  ca?: string | Buffer | (string | Buffer)[]
  /** Port of the policy host (443; tests use a high one). */
  port?: number
  /** Resolve the policy host through this resolver instead of the system's. */
  resolver?: DnsResolver
}

/** The default fetcher: node's https, certificate checked, no redirects, bounded. */
export function createHttpsPolicyFetcher(opts: HttpsFetcherOptions = {}): PolicyFetcher {
  const timeoutMs = opts.timeoutMs ?? 10_000
  const maxBytes = opts.maxBytes ?? 64 * 1024
  return (url) =>
    new Promise<FetchedPolicy>((resolve, reject) => {
      const target = new URL(url)
      const req = httpsRequest(
        {
          host: target.hostname,
          port: opts.port ?? 443,
          path: target.pathname,
          method: 'GET',
          servername: target.hostname,
          rejectUnauthorized: true,
          ...(opts.ca === undefined ? {} : { ca: opts.ca }),
          ...(opts.resolver === undefined ? {} : { lookup: lookupThrough(opts.resolver) }),
          timeout: timeoutMs,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > maxBytes) {
              req.destroy(new Error(`policy larger than ${String(maxBytes)} bytes`))
              return
            }
            chunks.push(chunk)
          })
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              contentType: res.headers['content-type'] ?? '',
              body: Buffer.concat(chunks).toString('utf8'),
            })
          })
          res.on('error', reject)
        },
      )
      const timer = setTimeout(() => {
        req.destroy(new Error(`timed out after ${String(timeoutMs)} ms`))
      }, timeoutMs)
      timer.unref()
      req.on('close', () => {
        clearTimeout(timer)
      })
      req.on('timeout', () => {
        req.destroy(new Error(`timed out after ${String(timeoutMs)} ms`))
      })
      req.on('error', reject)
      req.end()
    })
}

/** A net.lookup-compatible function answering from a DnsResolver (A first, then AAAA). */
export function lookupThrough(resolver: DnsResolver): LookupFunction {
  return (hostname, options, callback) => {
    const find = async (): Promise<{ address: string; family: 4 | 6 }> => {
      const v4 = await resolver.a(hostname).catch(() => [])
      if (v4[0] !== undefined) return { address: v4[0], family: 4 }
      const v6 = await resolver.aaaa(hostname).catch(() => [])
      if (v6[0] !== undefined) return { address: v6[0], family: 6 }
      throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' })
    }
    find().then(
      ({ address, family }) => {
        if (options.all === true) callback(null, [{ address, family }])
        else callback(null, address, family)
      },
      (err: unknown) => {
        callback(err as NodeJS.ErrnoException, '', 4)
      },
    )
  }
}
