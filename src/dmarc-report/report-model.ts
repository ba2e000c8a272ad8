// The data of a DMARC aggregate report (RFC 7489 7.2 and its appendix C schema), as Postern
// builds it for the reports it sends and reads it from the reports it receives. Pure data: the
// XML writer (aggregate-xml.ts) and reader (report-parser.ts) turn it into and out of XML.

export type Disposition = 'none' | 'quarantine' | 'reject'
export type DmarcAligned = 'pass' | 'fail'
export type AlignmentMode = 'r' | 's'
/** RFC 7489 appendix C DKIMResultType / SPFResultType (RFC 8601 2.7 keywords). */
export const AUTH_RESULT_KEYWORDS = [
  'none',
  'pass',
  'fail',
  'softfail',
  'policy',
  'neutral',
  'temperror',
  'permerror',
] as const
export type AuthResultKeyword = (typeof AUTH_RESULT_KEYWORDS)[number]

/** Whether a string is one of the result keywords. */
export function isAuthResultKeyword(value: string): value is AuthResultKeyword {
  return (AUTH_RESULT_KEYWORDS as readonly string[]).includes(value)
}

export interface PolicyPublished {
  /** The domain at which the DMARC record was found. */
  domain: string
  adkim: AlignmentMode
  aspf: AlignmentMode
  p: Disposition
  sp: Disposition
  pct: number
  fo: string
}

export interface ReportRecord {
  sourceIp: string
  count: number
  disposition: Disposition
  /** DMARC-aligned DKIM and SPF outcomes (policy_evaluated). */
  dkim: DmarcAligned
  spf: DmarcAligned
  /** policy_evaluated reasons (PolicyOverrideType), when the disposition differs from p. */
  reasons: { type: string; comment?: string }[]
  headerFrom: string
  envelopeFrom: string
  envelopeTo?: string
  authDkim: { domain: string; selector?: string; result: AuthResultKeyword }[]
  authSpf: { domain: string; scope: 'helo' | 'mfrom'; result: AuthResultKeyword }[]
}

export interface AggregateReport {
  orgName: string
  email: string
  extraContactInfo?: string
  reportId: string
  /** Epoch seconds, as the schema's DateRangeType. */
  begin: number
  end: number
  errors: string[]
  policy: PolicyPublished
  records: ReportRecord[]
}
