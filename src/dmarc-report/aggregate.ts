// Builds one DMARC aggregate report (RFC 7489 7.2) from the evaluations recorded for one
// policy domain over one period: messages with the same source IP, identifiers, disposition
// and authentication results become one record with their count (RFC 7489 7.2.1.1: "count").
import { expandIpv6 } from '../dns/resolver.ts'
import type { DmarcEvaluation } from '../store/types-email-auth.ts'
import type {
  AggregateReport,
  AuthResultKeyword,
  PolicyPublished,
  ReportRecord,
} from './report-model.ts'
import { isAuthResultKeyword } from './report-model.ts'

export interface AggregateInput {
  evaluations: readonly DmarcEvaluation[]
  policy: PolicyPublished
  orgName: string
  email: string
  reportId: string
  /** Epoch seconds. */
  begin: number
  end: number
}

export function buildAggregateReport(input: AggregateInput): AggregateReport {
  const records = new Map<string, ReportRecord>()
  for (const e of input.evaluations) {
    const record = toRecord(e)
    const key = JSON.stringify({ ...record, count: 0 })
    const seen = records.get(key)
    if (seen) seen.count++
    else records.set(key, record)
  }
  return {
    orgName: input.orgName,
    email: input.email,
    reportId: input.reportId,
    begin: input.begin,
    end: input.end,
    errors: [],
    policy: input.policy,
    records: [...records.values()],
  }
}

function toRecord(e: DmarcEvaluation): ReportRecord {
  return {
    sourceIp: reportIp(e.sourceIp),
    count: 1,
    disposition: e.disposition,
    dkim: e.dkim.some((d) => d.aligned && d.result === 'pass') ? 'pass' : 'fail',
    spf: e.spf.aligned && e.spf.result === 'pass' ? 'pass' : 'fail',
    reasons: e.reasons,
    headerFrom: e.headerFrom,
    envelopeFrom: e.envelopeFrom,
    ...(e.envelopeTo === '' ? {} : { envelopeTo: e.envelopeTo }),
    authDkim: e.dkim.map((d) => ({
      domain: d.domain,
      ...(d.selector === '' ? {} : { selector: d.selector }),
      result: keyword(d.result, 'permerror'),
    })),
    authSpf: [
      {
        domain: e.spf.domain === '' ? e.envelopeFrom : e.spf.domain,
        scope: e.spf.scope,
        // SPFResultType has no "policy": a stored keyword outside the schema becomes none.
        result: keyword(e.spf.result === 'policy' ? 'none' : e.spf.result, 'none'),
      },
    ],
  }
}

function keyword(value: string, fallback: AuthResultKeyword): AuthResultKeyword {
  return isAuthResultKeyword(value) ? value : fallback
}

/**
 * The appendix C IPAddress pattern takes dotted IPv4 and the full eight-group IPv6 form only:
 * IPv4-mapped addresses are written as IPv4, other IPv6 addresses expanded.
 */
function reportIp(ip: string): string {
  if (ip.toLowerCase().startsWith('::ffff:') && ip.includes('.')) return ip.slice(7)
  return ip.includes(':') ? expandIpv6(ip) : ip
}
