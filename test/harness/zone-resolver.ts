// A ResolveFn over a zone table for the email-authentication conformance suites (SPF, DKIM,
// ARC): names without records are NXDOMAIN (ENOTFOUND), names with records of other types
// NODATA (ENODATA), names marked as timing out answer ETIMEOUT for the types they have no records of, and CNAMEs are followed
// (bounded) the way a recursive resolver would (RFC 1034 3.6.2).
import { dnsError, type ResolveFn, type RrType } from '../../src/dns/resolver.ts'

export type ZoneAnswer =
  | { type: 'A' | 'AAAA' | 'PTR' | 'CNAME' | 'NS'; data: string }
  | { type: 'MX'; data: { priority: number; exchange: string } }
  | { type: 'TXT'; data: string[] }

export interface ZoneTable {
  records: Map<string, ZoneAnswer[]>
  timeouts: Set<string>
}

export function emptyZone(): ZoneTable {
  return { records: new Map(), timeouts: new Set() }
}

export function zoneKey(name: string): string {
  return name.toLowerCase().replace(/\.$/, '')
}

export function addRecord(zone: ZoneTable, name: string, answer: ZoneAnswer): void {
  const key = zoneKey(name)
  zone.records.set(key, [...(zone.records.get(key) ?? []), answer])
}

const MAX_CNAME_CHAIN = 8

export function zoneResolver(zone: ZoneTable): ResolveFn {
  const lookup = (name: string, rrtype: RrType, depth: number): unknown => {
    const key = zoneKey(name)
    const answers = zone.records.get(key) ?? []
    const matching = answers.filter((a) => a.type === rrtype)
    // As the OpenSPF suite's drivers do: a timing-out name still answers the types it lists.
    if (matching.length === 0 && zone.timeouts.has(key)) throw dnsError('ETIMEOUT', name, rrtype)
    if (!zone.records.has(key)) throw dnsError('ENOTFOUND', name, rrtype)
    if (matching.length === 0) {
      const cname = answers.find((a) => a.type === 'CNAME')
      if (cname !== undefined && rrtype !== 'CNAME') {
        if (depth >= MAX_CNAME_CHAIN) throw dnsError('ESERVFAIL', name, rrtype)
        return lookup(cname.data as string, rrtype, depth + 1)
      }
      throw dnsError('ENODATA', name, rrtype)
    }
    if (rrtype === 'MX') {
      return matching.map((a) => {
        const mx = a.data as { priority: number; exchange: string }
        return { priority: mx.priority, exchange: mx.exchange }
      })
    }
    return matching.map((a) => a.data)
  }
  return (name, rrtype) => {
    try {
      return Promise.resolve(lookup(name, rrtype, 0))
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
  }
}
