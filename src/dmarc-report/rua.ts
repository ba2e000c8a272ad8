// Where aggregate reports go (RFC 7489 6.2, 6.3 "rua", 7.1): the mailto: URIs of the policy
// record, each with an optional size limit ("!10m"), and the verification of external
// destinations: a report for example.com sent to an address at another Organizational Domain
// needs that domain's consent, published as "example.com._report._dmarc.<rua-domain>" TXT
// starting "v=DMARC1".
import { isDnsNotFound, type DnsResolver } from '../dns/resolver.ts'
import { organizationalDomain } from '../email-auth/org-domain.ts'

export interface ReportDestination {
  address: string
  domain: string
  /** Largest report message the destination accepts, in bytes; undefined: no limit. */
  maxBytes?: number
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }

/** RFC 7489 6.2: "mailto:addr[!size[unit]]"; undefined for other schemes or bad syntax. */
export function parseRua(uri: string): ReportDestination | undefined {
  const m = /^mailto:([^!]+)(?:!(\d{1,12})([kmgt]?))?$/i.exec(uri.trim())
  if (!m) return undefined
  const [, encoded = '', size, unit = ''] = m
  let address: string
  try {
    address = decodeURIComponent(encoded).trim()
  } catch {
    return undefined
  }
  const at = address.lastIndexOf('@')
  if (at < 1 || at === address.length - 1 || /[\s<>]/.test(address)) return undefined
  const domain = address.slice(at + 1).toLowerCase()
  if (size === undefined) return { address, domain }
  return { address, domain, maxBytes: Number(size) * (UNITS[unit.toLowerCase()] ?? 1) }
}

export type ExternalCheck = 'same-organization' | 'authorized' | 'not-authorized' | 'dns-error'

/**
 * RFC 7489 7.1: may reports about `policyDomain` go to an address at `ruaDomain`? Yes when
 * both share an Organizational Domain; else only when the rua domain publishes the
 * authorization record. A DNS failure other than "no such record" is 'dns-error' (try later).
 */
export async function checkExternalDestination(opts: {
  policyDomain: string
  ruaDomain: string
  resolver: DnsResolver
}): Promise<ExternalCheck> {
  const policyOrg = organizationalDomain(opts.policyDomain) ?? opts.policyDomain.toLowerCase()
  const ruaOrg = organizationalDomain(opts.ruaDomain) ?? opts.ruaDomain.toLowerCase()
  if (policyOrg === ruaOrg) return 'same-organization'
  const name = `${opts.policyDomain.toLowerCase()}._report._dmarc.${opts.ruaDomain.toLowerCase()}`
  let answers: string[][]
  try {
    answers = await opts.resolver.txt(name)
  } catch (err) {
    return isDnsNotFound(err) ? 'not-authorized' : 'dns-error'
  }
  // RFC 7489 7.1 step 4: a record beginning "v=DMARC1" authorizes.
  const ok = answers.some((strings) => /^v\s*=\s*DMARC1\s*(;|$)/.test(strings.join('')))
  return ok ? 'authorized' : 'not-authorized'
}
