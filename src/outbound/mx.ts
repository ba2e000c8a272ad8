// Where mail for a domain goes (RFC 5321 5.1): its MX records, lowest preference first, in
// random order among equal preferences (RFC 5321 5.1 "randomize"); no MX record at all means
// the domain itself is the one host (the implicit MX, RFC 5321 5.1); a null MX (RFC 7505: a
// single MX "." ) means the domain takes no mail, a permanent failure. Each host's addresses
// come from AAAA and A (IPv6 and IPv4). A DNS answer "does not exist" is final; a timeout or
// server failure is a temporary outcome (try again later).
import { isDnsNotFound, dnsErrorCode, type DnsResolver } from '../dns/resolver.ts'

export interface MxHost {
  /** Host name, lower case, no trailing dot. */
  name: string
  preference: number
  /** True when the domain has no MX and its own A/AAAA is used. */
  implicit: boolean
}

export type MxLookup =
  | { kind: 'hosts'; hosts: MxHost[] }
  /** RFC 7505 3: the domain says it accepts no mail. */
  | { kind: 'null-mx' }
  /** The domain does not exist, or has neither MX nor address records. */
  | { kind: 'no-domain'; detail: string }
  | { kind: 'temporary'; detail: string }

export interface MxOptions {
  resolver: DnsResolver
  /** [0, 1); injected so tests fix the order among equal preferences. */
  random?: () => number
}

export async function lookupMx(domain: string, opts: MxOptions): Promise<MxLookup> {
  const name = normalizeHost(domain)
  let records: { exchange: string; priority: number }[]
  try {
    records = await opts.resolver.mx(name)
  } catch (err) {
    const code = dnsErrorCode(err) ?? 'error'
    if (dnsErrorCode(err) === 'ENOTFOUND') {
      return { kind: 'no-domain', detail: `${name}: no such domain (${code})` }
    }
    if (!isDnsNotFound(err)) return { kind: 'temporary', detail: `MX ${name}: ${code}` }
    records = []
  }
  // RFC 7505 3: a null MX is one record whose exchange is the root ("." — '' once parsed).
  const real = records.filter((r) => normalizeHost(r.exchange) !== '')
  if (records.length > 0 && real.length === 0) return { kind: 'null-mx' }
  if (real.length === 0) return implicitMx(name, opts.resolver)
  return { kind: 'hosts', hosts: orderMx(real, opts.random ?? Math.random) }
}

/** RFC 5321 5.1: without MX records, the domain's own address records, if it has any. */
async function implicitMx(name: string, resolver: DnsResolver): Promise<MxLookup> {
  const addresses = await resolveHostAddresses(name, { resolver })
  if (addresses.addresses.length > 0) {
    return { kind: 'hosts', hosts: [{ name, preference: 0, implicit: true }] }
  }
  if (addresses.temporary !== undefined) return { kind: 'temporary', detail: addresses.temporary }
  return { kind: 'no-domain', detail: `${name}: no MX and no address records` }
}

/**
 * Lowest preference first; equal preferences shuffled (Fisher-Yates with the injected
 * random), so load spreads as RFC 5321 5.1 asks. Duplicated host names are kept once.
 */
export function orderMx(
  records: readonly { exchange: string; priority: number }[],
  random: () => number,
): MxHost[] {
  const byPreference = new Map<number, MxHost[]>()
  const seen = new Set<string>()
  for (const r of [...records].sort((a, b) => a.priority - b.priority)) {
    const name = normalizeHost(r.exchange)
    if (seen.has(name)) continue
    seen.add(name)
    const group = byPreference.get(r.priority) ?? []
    group.push({ name, preference: r.priority, implicit: false })
    byPreference.set(r.priority, group)
  }
  const out: MxHost[] = []
  for (const group of byPreference.values()) {
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.min(i, Math.floor(random() * (i + 1)))
      const a = group[i]
      const b = group[j]
      if (a && b) {
        group[i] = b
        group[j] = a
      }
    }
    out.push(...group)
  }
  return out
}

export interface HostAddress {
  ip: string
  family: 4 | 6
}

export interface HostAddresses {
  addresses: HostAddress[]
  /** Set when a lookup failed temporarily (the list may then be partial or empty). */
  temporary?: string
}

/** AAAA and A of one host, IPv6 first unless told otherwise. */
export async function resolveHostAddresses(
  host: string,
  opts: { resolver: DnsResolver; families?: readonly (4 | 6)[] },
): Promise<HostAddresses> {
  const families = opts.families ?? [6, 4]
  const results = await Promise.all(
    families.map(async (family) => {
      try {
        const ips = family === 6 ? await opts.resolver.aaaa(host) : await opts.resolver.a(host)
        return { addresses: ips.map((ip) => ({ ip, family })), temporary: undefined }
      } catch (err) {
        if (isDnsNotFound(err)) return { addresses: [], temporary: undefined }
        const code = dnsErrorCode(err) ?? 'error'
        return { addresses: [], temporary: `${family === 6 ? 'AAAA' : 'A'} ${host}: ${code}` }
      }
    }),
  )
  const out: HostAddresses = { addresses: results.flatMap((r) => r.addresses) }
  const failed = results.find((r) => r.temporary !== undefined)
  if (failed?.temporary !== undefined) out.temporary = failed.temporary
  return out
}

export function normalizeHost(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '')
}
