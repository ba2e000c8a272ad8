// DMARC aggregate report XML (RFC 7489 7.2.1 and the schema of its appendix C): writes an
// AggregateReport as a <feedback> document. Elements are written in the order the schema's
// xs:sequence parts demand; text is escaped; the document is UTF-8.
import type { AggregateReport, PolicyPublished, ReportRecord } from './report-model.ts'

export function aggregateReportXml(report: AggregateReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<feedback>']
  // RFC 7489 appendix C: feedback = version, report_metadata, policy_published, record+.
  out.push('  <version>1.0</version>')
  out.push('  <report_metadata>')
  out.push(el(4, 'org_name', report.orgName), el(4, 'email', report.email))
  if (report.extraContactInfo !== undefined) {
    out.push(el(4, 'extra_contact_info', report.extraContactInfo))
  }
  out.push(el(4, 'report_id', report.reportId))
  out.push(
    '    <date_range>',
    el(6, 'begin', String(report.begin)),
    el(6, 'end', String(report.end)),
  )
  out.push('    </date_range>')
  for (const error of report.errors) out.push(el(4, 'error', error))
  out.push('  </report_metadata>')
  out.push(...policyXml(report.policy))
  for (const record of report.records) out.push(...recordXml(record))
  out.push('</feedback>')
  return `${out.join('\n')}\n`
}

function policyXml(p: PolicyPublished): string[] {
  return [
    '  <policy_published>',
    el(4, 'domain', p.domain),
    el(4, 'adkim', p.adkim),
    el(4, 'aspf', p.aspf),
    el(4, 'p', p.p),
    el(4, 'sp', p.sp),
    el(4, 'pct', String(p.pct)),
    el(4, 'fo', p.fo),
    '  </policy_published>',
  ]
}

function recordXml(r: ReportRecord): string[] {
  const out = [
    '  <record>',
    '    <row>',
    el(6, 'source_ip', r.sourceIp),
    el(6, 'count', String(r.count)),
  ]
  // PolicyEvaluatedType is a sequence: disposition, dkim, spf, reason*.
  out.push('      <policy_evaluated>', el(8, 'disposition', r.disposition))
  out.push(el(8, 'dkim', r.dkim), el(8, 'spf', r.spf))
  for (const reason of r.reasons) {
    out.push('        <reason>', el(10, 'type', reason.type))
    if (reason.comment !== undefined) out.push(el(10, 'comment', reason.comment))
    out.push('        </reason>')
  }
  out.push('      </policy_evaluated>', '    </row>', '    <identifiers>')
  if (r.envelopeTo !== undefined) out.push(el(6, 'envelope_to', r.envelopeTo))
  out.push(el(6, 'envelope_from', r.envelopeFrom), el(6, 'header_from', r.headerFrom))
  out.push('    </identifiers>', '    <auth_results>')
  // AuthResultType is a sequence: dkim*, then spf+.
  for (const d of r.authDkim) {
    out.push('      <dkim>', el(8, 'domain', d.domain))
    if (d.selector !== undefined) out.push(el(8, 'selector', d.selector))
    out.push(el(8, 'result', d.result), '      </dkim>')
  }
  for (const s of r.authSpf) {
    out.push('      <spf>', el(8, 'domain', s.domain), el(8, 'scope', s.scope))
    out.push(el(8, 'result', s.result), '      </spf>')
  }
  out.push('    </auth_results>', '  </record>')
  return out
}

function el(indent: number, name: string, text: string): string {
  return `${' '.repeat(indent)}<${name}>${escapeXml(text)}</${name}>`
}

/** XML 1.0 character data: markup escaped, characters XML cannot carry dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
}
