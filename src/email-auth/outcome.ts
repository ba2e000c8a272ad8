// What email authentication (SPF, DKIM, DMARC, ARC) concluded about one inbound message: the
// shape later pipeline stages (spam, reputation, DMARC reports) read. Filled by the
// "authenticate" stage of the mx role.

/** RFC 8601 2.7 result keywords. */
export type AuthResult =
  'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy'

export type DmarcPolicy = 'none' | 'quarantine' | 'reject'

/** A DMARC policy record as published (RFC 7489 6.3), with the domain it was found at. */
export interface DmarcPolicyRecord {
  /** The domain whose _dmarc record this is: the From domain or its Organizational Domain. */
  domain: string
  p: DmarcPolicy
  sp?: DmarcPolicy
  /** 0..100, 100 when absent. */
  pct: number
  adkim: 'r' | 's'
  aspf: 'r' | 's'
  /** Valid aggregate-report URIs (rua=), in order. */
  rua: string[]
  ruf: string[]
  fo: string
  /** The record text as published. */
  text: string
}

/**
 * Why the disposition is softer than the policy (RFC 7489 appendix C, PolicyOverrideType).
 * `local_policy` covers dmarc_exceptions and a DMARC temperror.
 */
export interface PolicyOverride {
  type:
    'forwarded' | 'sampled_out' | 'trusted_forwarder' | 'mailing_list' | 'local_policy' | 'other'
  comment?: string
}

export interface AuthOutcome {
  /** SPF (RFC 7208) of the MAIL FROM identity (the HELO identity when MAIL FROM is null). */
  spf: { result: AuthResult; domain: string; helo?: AuthResult }
  /** One entry per DKIM-Signature (RFC 6376), in header order. */
  dkim: { result: AuthResult; domain: string; selector: string; aligned: boolean }[]
  /** DMARC (RFC 7489): the From domain's policy and whether SPF or DKIM aligned. */
  dmarc: {
    result: AuthResult
    /** The RFC5322.From domain. */
    domain: string
    /** The policy published (after sp= for subdomains); 'none' when nothing is published. */
    policy: 'none' | 'quarantine' | 'reject'
    /** What was done: local overrides may soften the policy. */
    disposition: 'none' | 'quarantine' | 'reject'
    /** The record applied; absent when the domain publishes none (then nothing to report). */
    record?: DmarcPolicyRecord
    /** The Organizational Domain of the From domain (Public Suffix List). */
    orgDomain?: string
    spfAligned?: boolean
    dkimAligned?: boolean
    /** Why the disposition is softer than the policy, if it is. */
    overrides?: PolicyOverride[]
  }
  /** ARC (RFC 8617) chain validation. */
  arc: { result: AuthResult; sealer?: string }
  /** The Authentication-Results field value added (without the field name). */
  header: string
  /** The connection the message came from (for DMARC aggregate reports: source_ip). */
  source?: { ip: string; helo: string; mailFrom: string }
}

/** One row of a DMARC aggregate report (RFC 7489 appendix C "record"), for the report writer. */
export interface DmarcReportRow {
  /** The domain whose policy was evaluated (policy_published/domain). */
  policyDomain: string
  record: DmarcPolicyRecord
  sourceIp: string
  headerFrom: string
  envelopeFrom: string
  disposition: DmarcPolicy
  dkimAligned: boolean
  spfAligned: boolean
  overrides: PolicyOverride[]
  /** scope 'helo' when MAIL FROM was null (RFC 7489 appendix C, SPFDomainScope). */
  spf: { domain: string; scope: 'mfrom' | 'helo'; result: AuthResult }
  dkim: { domain: string; selector: string; result: AuthResult; aligned: boolean }[]
}

/**
 * What a DMARC aggregate report records of one message, or undefined when the From domain
 * publishes no DMARC record (RFC 7489 7.2: reports go only to domains that ask).
 */
export function dmarcReportRow(auth: AuthOutcome | undefined): DmarcReportRow | undefined {
  const record = auth?.dmarc.record
  if (auth === undefined || record === undefined) return undefined
  return {
    policyDomain: record.domain,
    record,
    sourceIp: auth.source?.ip ?? '',
    headerFrom: auth.dmarc.domain,
    envelopeFrom: auth.spf.domain,
    disposition: auth.dmarc.disposition,
    dkimAligned: auth.dmarc.dkimAligned ?? false,
    spfAligned: auth.dmarc.spfAligned ?? false,
    overrides: auth.dmarc.overrides ?? [],
    spf: {
      domain: auth.spf.domain,
      scope: auth.source?.mailFrom === '' ? 'helo' : 'mfrom',
      result: auth.spf.result,
    },
    dkim: auth.dkim.map((d) => ({
      domain: d.domain,
      selector: d.selector,
      result: d.result,
      aligned: d.aligned,
    })),
  }
}
