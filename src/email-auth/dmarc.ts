// DMARC (RFC 7489): whether the RFC5322.From domain is authenticated by an SPF or DKIM pass for
// an aligned domain, and which policy its owner asks receivers to apply when it is not. The
// policy record is looked up at _dmarc.<From domain>, then at _dmarc.<Organizational Domain>
// (RFC 7489 6.6.3); the Organizational Domain comes from the Public Suffix List (org-domain.ts).
// Policy sampling ("pct") is honoured with an injected random source (RFC 7489 6.6.4).
import { dnsErrorCode, isDnsNotFound, type ResolveFn } from '../dns/resolver.ts'
import { isAligned, normalizeDomain, organizationalDomain } from './org-domain.ts'
import type { AuthResult, DmarcPolicy, DmarcPolicyRecord } from './outcome.ts'

export interface DmarcInput {
  /** The RFC5322.From domain. */
  fromDomain: string
  /** The SPF result of the MAIL FROM identity (RFC 7489 4.2: the HELO one when it is null). */
  spf: { result: AuthResult; domain: string }
  dkim: readonly { result: AuthResult; domain: string }[]
  resolve: ResolveFn
  /** A number in [0, 1): policy sampling by "pct". */
  random: () => number
}

export interface DmarcEvaluationResult {
  result: AuthResult
  /** The From domain, normalized. */
  domain: string
  orgDomain: string | undefined
  record: DmarcPolicyRecord | undefined
  /** The policy that applies (p=, or sp= when the record is the Organizational Domain's). */
  policy: DmarcPolicy
  /** The policy after sampling: the next-lower one for a message pct= left out. */
  sampledPolicy: DmarcPolicy
  sampledOut: boolean
  spfAligned: boolean
  dkimAligned: boolean
  /** The DKIM domain that aligned, if any (for header.d and reports). */
  alignedDkimDomain?: string
  error?: string
}

const POLICIES = new Set<string>(['none', 'quarantine', 'reject'])
const LOWER: Record<DmarcPolicy, DmarcPolicy> = {
  reject: 'quarantine',
  quarantine: 'none',
  none: 'none',
}

/** RFC 7489 6.6.2 / 6.6.3: evaluates DMARC for one message. Never throws. */
export async function evaluateDmarc(input: DmarcInput): Promise<DmarcEvaluationResult> {
  const domain = normalizeDomain(input.fromDomain)
  const orgDomain = domain === '' ? undefined : organizationalDomain(domain)
  const base = {
    domain,
    orgDomain,
    record: undefined,
    policy: 'none' as const,
    sampledPolicy: 'none' as const,
    sampledOut: false,
    spfAligned: false,
    dkimAligned: false,
  }
  if (domain === '') return { ...base, result: 'none' }
  let record: DmarcPolicyRecord | undefined
  try {
    record = await discoverRecord(domain, orgDomain, input.resolve)
  } catch (err) {
    return { ...base, result: 'temperror', error: err instanceof Error ? err.message : String(err) }
  }
  if (record === undefined) return { ...base, result: 'none' }
  // RFC 7489 6.6.3 step 4 / 6.3 "sp": a record found at the Organizational Domain gives sp=.
  const policy = record.domain === domain ? record.p : (record.sp ?? record.p)
  // RFC 7489 4.2: an SPF or a DKIM pass whose domain aligns authenticates the From domain.
  const spfAligned = input.spf.result === 'pass' && isAligned(input.spf.domain, domain, record.aspf)
  const alignedDkim = input.dkim.find(
    (d) => d.result === 'pass' && isAligned(d.domain, domain, record.adkim),
  )
  const pass = spfAligned || alignedDkim !== undefined
  // RFC 7489 6.6.4: the policy applies to pct% of failing messages; the others get the
  // next-lower policy (reject → quarantine, quarantine → none).
  const sampledOut = !pass && record.pct < 100 && input.random() * 100 >= record.pct
  return {
    ...base,
    result: pass ? 'pass' : 'fail',
    record,
    policy,
    sampledPolicy: sampledOut ? LOWER[policy] : policy,
    sampledOut,
    spfAligned,
    dkimAligned: alignedDkim !== undefined,
    ...(alignedDkim === undefined
      ? {}
      : { alignedDkimDomain: normalizeDomain(alignedDkim.domain) }),
  }
}

/** RFC 7489 6.6.3: the From domain's record, else the Organizational Domain's. */
async function discoverRecord(
  domain: string,
  orgDomain: string | undefined,
  resolve: ResolveFn,
): Promise<DmarcPolicyRecord | undefined> {
  const own = await fetchRecord(domain, resolve)
  if (own !== undefined || orgDomain === undefined || orgDomain === domain) return own
  return fetchRecord(orgDomain, resolve)
}

async function fetchRecord(
  domain: string,
  resolve: ResolveFn,
): Promise<DmarcPolicyRecord | undefined> {
  let answers: unknown
  try {
    answers = await resolve(`_dmarc.${domain}`, 'TXT')
  } catch (err) {
    if (isDnsNotFound(err)) return undefined
    throw new Error(`DNS error for _dmarc.${domain}: ${dnsErrorCode(err) ?? String(err)}`)
  }
  // RFC 7489 6.6.3 step 2: records that do not start with "v=DMARC1" are discarded; more than
  // one remaining record means no DMARC processing (step 5).
  const texts = (Array.isArray(answers) ? answers : [])
    .map((row: unknown) => (Array.isArray(row) ? row.join('') : String(row)))
    .filter((t) => /^v\s*=\s*DMARC1\s*(;|$)/.test(t))
  if (texts.length !== 1 || texts[0] === undefined) return undefined
  return parseDmarcRecord(texts[0], domain)
}

/**
 * RFC 7489 6.3 / 6.4: a DMARC record's tags. A record without a valid p= (or with an invalid
 * sp=) counts as p=none when it names a valid rua= URI, else it is ignored (RFC 7489 6.6.3).
 */
export function parseDmarcRecord(text: string, domain: string): DmarcPolicyRecord | undefined {
  const tags = new Map<string, string>()
  for (const part of text.split(';')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const name = part.slice(0, eq).trim().toLowerCase()
    if (!tags.has(name)) tags.set(name, part.slice(eq + 1).trim())
  }
  const uris = (tag: string): string[] =>
    (tags.get(tag) ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(u))
  const rua = uris('rua')
  const p = tags.get('p')?.toLowerCase()
  const sp = tags.get('sp')?.toLowerCase()
  const valid = p !== undefined && POLICIES.has(p) && (sp === undefined || POLICIES.has(sp))
  if (!valid && rua.length === 0) return undefined
  const pctText = tags.get('pct')
  const pct = pctText !== undefined && /^\d{1,3}$/.test(pctText) ? Number(pctText) : 100
  const mode = (tag: string): 'r' | 's' => (tags.get(tag)?.toLowerCase() === 's' ? 's' : 'r')
  return {
    domain,
    p: valid ? (p as DmarcPolicy) : 'none',
    ...(valid && sp !== undefined ? { sp: sp as DmarcPolicy } : {}),
    pct: Math.min(pct, 100),
    adkim: mode('adkim'),
    aspf: mode('aspf'),
    rua,
    ruf: uris('ruf'),
    fo: tags.get('fo') ?? '0',
    text,
  }
}
