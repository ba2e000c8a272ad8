// `postern dns check`: looks each record dns-records.ts suggests up through the configured
// resolver and says whether it is there and right: ok, missing (no such name or record), wrong
// (present, but it would not work: another MX, an SPF that does not allow this server, another
// DKIM key, a DMARC record that does not parse...), or unknown (DNS failed: try again).
import { isDnsNotFound, type DnsResolver, type SrvRecord } from '../dns/resolver.ts'
import { parseDmarcRecord } from '../email-auth/dmarc.ts'
import type { PublishRecord } from './dns-records.ts'

export type CheckStatus = 'ok' | 'missing' | 'wrong' | 'unknown'

export interface RecordCheck {
  record: PublishRecord
  status: CheckStatus
  /** What was found, when it is not right. */
  detail?: string
}

type Found = { kind: 'found'; values: unknown } | { kind: 'none' } | { kind: 'error'; text: string }

export async function checkRecords(opts: {
  records: readonly PublishRecord[]
  resolver: DnsResolver
  hostname: string
}): Promise<RecordCheck[]> {
  return Promise.all(opts.records.map((record) => checkOne(record, opts)))
}

async function checkOne(
  record: PublishRecord,
  opts: { resolver: DnsResolver; hostname: string },
): Promise<RecordCheck> {
  const found = await lookup(opts.resolver, record)
  if (found.kind === 'none') return { record, status: 'missing' }
  if (found.kind === 'error') return { record, status: 'unknown', detail: found.text }
  const problem = await judge(record, found.values, opts)
  return problem === undefined
    ? { record, status: 'ok' }
    : { record, status: 'wrong', detail: problem }
}

async function lookup(resolver: DnsResolver, record: PublishRecord): Promise<Found> {
  try {
    if (record.type === 'CNAME') return await lookupHost(resolver, record.name)
    const values = await resolver.resolve(record.name, record.type)
    if (record.type === 'TXT' && relevantTxt(record, values as string[][]).length === 0) {
      return { kind: 'none' }
    }
    return { kind: 'found', values }
  } catch (err) {
    if (isDnsNotFound(err)) return { kind: 'none' }
    return { kind: 'error', text: err instanceof Error ? err.message : String(err) }
  }
}

/** A host name may be a CNAME to our host or have addresses of its own. */
async function lookupHost(resolver: DnsResolver, name: string): Promise<Found> {
  try {
    return { kind: 'found', values: { cname: await resolver.resolve(name, 'CNAME') } }
  } catch (err) {
    if (!isDnsNotFound(err)) throw err
  }
  return { kind: 'found', values: { a: await resolver.a(name) } }
}

/** The TXT strings at the name that are this kind of record (SPF, DKIM, DMARC...). */
function relevantTxt(record: PublishRecord, answers: string[][]): string[] {
  // RFC 6376 3.6.1: v=DKIM1 is optional in a key record.
  if (record.kind === 'dkim') return answers.map((s) => s.join(''))
  const prefix = record.value.slice(
    0,
    record.value.indexOf(';') < 0 ? 7 : record.value.indexOf(';'),
  )
  const tag = prefix.split(/[ ;]/)[0]?.toLowerCase() ?? ''
  return answers.map((s) => s.join('')).filter((t) => t.toLowerCase().startsWith(tag))
}

async function judge(
  record: PublishRecord,
  values: unknown,
  opts: { resolver: DnsResolver; hostname: string },
): Promise<string | undefined> {
  const host = opts.hostname.toLowerCase().replace(/\.$/, '')
  switch (record.kind) {
    case 'mx': {
      const mx = values as { exchange: string }[]
      const names = mx.map((m) => m.exchange.toLowerCase().replace(/\.$/, ''))
      return names.includes(host) ? undefined : `MX is ${names.join(', ')}, not ${host}`
    }
    case 'spf':
      return judgeSpf(relevantTxt(record, values as string[][]), record.value)
    case 'dkim': {
      const [text = ''] = relevantTxt(record, values as string[][])
      const want = /p=([^;\s]+)/.exec(record.value)?.[1]
      const have = /p=([^;\s]+)/.exec(text.replace(/\s+/g, ''))?.[1]
      return want === have ? undefined : 'a different public key is published'
    }
    case 'dmarc': {
      const texts = relevantTxt(record, values as string[][])
      if (texts.length > 1) return 'more than one DMARC record (receivers ignore them all)'
      const parsed = parseDmarcRecord(texts[0] ?? '', record.name.slice(7))
      return parsed === undefined ? `does not parse: ${texts[0] ?? ''}` : undefined
    }
    case 'mta-sts': {
      const [text = ''] = relevantTxt(record, values as string[][])
      return text.replace(/\s+/g, '') === record.value.replace(/\s+/g, '')
        ? undefined
        : `is "${text}": the id must change when the policy does (now ${record.value})`
    }
    case 'tls-rpt': {
      const [text = ''] = relevantTxt(record, values as string[][])
      return /rua=\S+/.test(text) ? undefined : `no rua= in "${text}"`
    }
    case 'srv':
      return judgeSrv(values as SrvRecord[], record.value)
    case 'mta-sts-host':
    case 'autoconfig-host':
      return judgeHost(values as { cname?: string[]; a?: string[] }, host, opts.resolver)
  }
}

function judgeSpf(texts: string[], suggested: string): string | undefined {
  if (texts.length > 1) return 'more than one SPF record (a permanent error for receivers)'
  const spf = (texts[0] ?? '').toLowerCase().split(/\s+/)
  const allowed = suggested.split(' ').filter((m) => m === 'mx' || m.startsWith('ip'))
  // Allowed when it names the MX or one of this server's addresses, or includes another list.
  if (spf.some((m) => allowed.includes(m.replace(/^\+/, '')) || m.startsWith('include:'))) {
    return undefined
  }
  return `"${texts[0] ?? ''}" does not allow this server (add "mx")`
}

function judgeSrv(found: SrvRecord[], want: string): string | undefined {
  const [, , port = '', target = ''] = want.split(' ')
  const ok = found.some(
    (r) => String(r.port) === port && `${r.name.toLowerCase().replace(/\.$/, '')}.` === target,
  )
  if (ok || (target === '.' && found.some((r) => r.name === '' || r.name === '.'))) return undefined
  return `points to ${found.map((r) => `${r.name}:${r.port}`).join(', ')}, not ${target.replace(/\.$/, '')}:${port}`
}

async function judgeHost(
  found: { cname?: string[]; a?: string[] },
  host: string,
  resolver: DnsResolver,
): Promise<string | undefined> {
  if (found.cname !== undefined) {
    const target = found.cname.map((c) => c.toLowerCase().replace(/\.$/, ''))
    return target.includes(host) ? undefined : `CNAME to ${target.join(', ')}, not ${host}`
  }
  const ours = await resolver.a(host).catch(() => [] as string[])
  const theirs = found.a ?? []
  return theirs.some((ip) => ours.includes(ip))
    ? undefined
    : `addresses ${theirs.join(', ')} are not ${host}'s`
}
