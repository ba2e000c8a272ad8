// Sending readiness of a From domain, from DNS (for `postern check-message`): an SPF record
// (RFC 7208 4.5: exactly one TXT record starting "v=spf1"; 4.6 its terms), a DMARC record
// (RFC 7489 6.1: TXT at _dmarc.<domain>, "v=DMARC1" first, p= the policy) and the DKIM keys of
// Postern's selectors (RFC 6376 3.6.2.1: TXT at <selector>._domainkey.<domain>), named
// <selector>-rsa and <selector>-ed25519 (config dkim.selector).
import { isDnsNotFound, type DnsResolver } from '../dns/resolver.ts'

export type CheckStatus = 'ok' | 'missing' | 'invalid' | 'error'

export interface ReadinessCheck {
  name: string
  status: CheckStatus
  detail: string
}

const SPF_MECHANISM =
  /^[+?~-]?(all|include:\S+|a(:\S+)?(\/\d+)?|mx(:\S+)?(\/\d+)?|ptr(:\S+)?|ip4:\S+|ip6:\S+|exists:\S+)$/i
const SPF_MODIFIER = /^[a-z][a-z0-9_.-]*=\S*$/i

async function txtRecords(resolver: DnsResolver, name: string): Promise<string[] | 'error'> {
  try {
    return (await resolver.txt(name)).map((chunks) => chunks.join(''))
  } catch (err) {
    return isDnsNotFound(err) ? [] : 'error'
  }
}

export async function checkSpf(resolver: DnsResolver, domain: string): Promise<ReadinessCheck> {
  const txt = await txtRecords(resolver, domain)
  if (txt === 'error')
    return { name: 'SPF', status: 'error', detail: `TXT ${domain}: lookup failed` }
  const spf = txt.filter((t) => /^v=spf1(\s|$)/i.test(t))
  if (spf.length === 0)
    return { name: 'SPF', status: 'missing', detail: `no "v=spf1" TXT record at ${domain}` }
  if (spf.length > 1) {
    return {
      name: 'SPF',
      status: 'invalid',
      detail: `${spf.length} SPF records at ${domain} (RFC 7208 4.5: permerror)`,
    }
  }
  const record = spf[0] ?? ''
  const bad = record
    .split(/\s+/)
    .slice(1)
    .filter((t) => t !== '' && !SPF_MECHANISM.test(t) && !SPF_MODIFIER.test(t))
  if (bad.length > 0)
    return {
      name: 'SPF',
      status: 'invalid',
      detail: `unknown terms ${bad.join(' ')} in "${record}"`,
    }
  return { name: 'SPF', status: 'ok', detail: record }
}

export async function checkDmarc(resolver: DnsResolver, domain: string): Promise<ReadinessCheck> {
  const name = `_dmarc.${domain}`
  const txt = await txtRecords(resolver, name)
  if (txt === 'error')
    return { name: 'DMARC', status: 'error', detail: `TXT ${name}: lookup failed` }
  const records = txt.filter((t) => /^v=DMARC1\s*(;|$)/i.test(t))
  if (records.length !== 1) {
    const why = records.length === 0 ? 'no "v=DMARC1" record' : 'several DMARC records'
    return {
      name: 'DMARC',
      status: records.length === 0 ? 'missing' : 'invalid',
      detail: `${why} at ${name}`,
    }
  }
  const record = records[0] ?? ''
  const policy = /(?:^|;)\s*p\s*=\s*([a-z]+)/i.exec(record)?.[1]?.toLowerCase()
  if (policy === undefined || !['none', 'quarantine', 'reject'].includes(policy)) {
    return { name: 'DMARC', status: 'invalid', detail: `no valid p= policy in "${record}"` }
  }
  return { name: 'DMARC', status: 'ok', detail: `policy ${policy}: "${record}"` }
}

export async function checkDkim(
  resolver: DnsResolver,
  domain: string,
  selector: string,
): Promise<ReadinessCheck> {
  const found: string[] = []
  const missing: string[] = []
  for (const s of [`${selector}-rsa`, `${selector}-ed25519`]) {
    const name = `${s}._domainkey.${domain}`
    const txt = await txtRecords(resolver, name)
    if (txt === 'error')
      return { name: 'DKIM', status: 'error', detail: `TXT ${name}: lookup failed` }
    const key = txt.find((t) => /(^|;)\s*p\s*=\s*[A-Za-z0-9+/]/.test(t))
    if (key === undefined) missing.push(name)
    else found.push(name)
  }
  if (found.length === 0)
    return { name: 'DKIM', status: 'missing', detail: `no key at ${missing.join(', ')}` }
  const more = missing.length === 0 ? '' : `; missing ${missing.join(', ')}`
  return { name: 'DKIM', status: 'ok', detail: `keys at ${found.join(', ')}${more}` }
}

export async function domainReadiness(opts: {
  resolver: DnsResolver
  domain: string
  selector: string
}): Promise<ReadinessCheck[]> {
  const { resolver, domain, selector } = opts
  return Promise.all([
    checkSpf(resolver, domain),
    checkDkim(resolver, domain, selector),
    checkDmarc(resolver, domain),
  ])
}
