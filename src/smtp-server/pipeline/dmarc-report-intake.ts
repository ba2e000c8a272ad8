// Stage "dmarc-report-intake" (mx role, after "route"): a DMARC aggregate report addressed to
// one of our domains (RFC 7489 7.2: sent to the rua= address of our DMARC record) is parsed
// and stored, so `postern dmarc reports` can list it; the message is delivered as any other.
// Only messages whose header says they are reports are opened (a Subject "Report Domain: ..."
// as RFC 7489 7.2.1.1 asks, or a report media type at the top); reading is bounded
// (report-attachment.ts, report-parser.ts) and a report that cannot be read is only logged.
import { extractReportXml } from '../../dmarc-report/report-attachment.ts'
import { parseAggregateReport } from '../../dmarc-report/report-parser.ts'
import { proceed, type PipelineContext, type StageResult } from './context.ts'

const SUBJECT = /(?:^|\n)subject:[^\n]*report\s*domain\s*:/i
const TOP_TYPE =
  /(?:^|\n)content-type:\s*(?:application\/(?:x-)?(?:gzip|zip|zip-compressed|xml)|text\/xml)/i

export async function dmarcReportIntake(ctx: PipelineContext): Promise<StageResult> {
  const { deps } = ctx.session
  if (deps.settings.role !== 'mx' || ctx.local.length === 0) return proceed
  const headerEnd = ctx.headers?.headerEnd ?? Math.min(ctx.body.length, 65536)
  const header = ctx.body.toString('latin1', 0, Math.min(headerEnd, 65536))
  if (!SUBJECT.test(header) && !TOP_TYPE.test(header)) return proceed
  for (const xml of extractReportXml(ctx.body)) {
    try {
      const report = parseAggregateReport(xml)
      const stored = await deps.store.emailAuth.storeReceived(report, ctx.receivedAt)
      deps.logger.info({
        event: 'dmarc.report-received',
        queueId: ctx.queueId,
        org: report.orgName,
        domain: report.policy.domain,
        reportId: report.reportId,
        records: report.records.length,
        duplicate: !stored,
      })
    } catch (err) {
      deps.logger.info({ event: 'dmarc.report-unreadable', queueId: ctx.queueId, err })
    }
  }
  return proceed
}
