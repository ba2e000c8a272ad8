// Stage "dmarc-record" (mx role): records the DMARC evaluation of the message (RFC 7489 7.2:
// what an aggregate report row is made of) when the From domain publishes a DMARC record, i.e.
// asked for reports. It wraps the "authenticate" stage (withDmarcRecord) so that messages that
// stage rejects (p=reject) are recorded too: reports must count them. One row per message; the
// write is handed to the store's group committer without waiting, so it shares the commit (and
// the fsync) of this message's accept, which follows in the same turn: acceptance is not
// slowed.
import { dmarcReportRow, type DmarcReportRow } from '../../email-auth/outcome.ts'
import { isAligned } from '../../email-auth/org-domain.ts'
import type { DmarcEvaluation } from '../../store/types-email-auth.ts'
import { proceed, type PipelineContext, type Stage, type StageResult } from './context.ts'

/** Runs `stage` (authenticate), then records what it concluded, whatever its result. */
export function withDmarcRecord(stage: Stage): Stage {
  return async (ctx) => {
    const result = await stage(ctx)
    dmarcRecord(ctx)
    return result
  }
}

export function dmarcRecord(ctx: PipelineContext): StageResult {
  if (ctx.session.deps.settings.role !== 'mx') return proceed
  const row = dmarcReportRow(ctx.auth)
  if (row === undefined || row.headerFrom === '') return proceed
  const evaluation = toEvaluation(row, ctx)
  const { logger } = ctx.session.deps
  ctx.session.deps.store.emailAuth.recordEvaluation(evaluation).catch((err: unknown) => {
    // Reporting data only: the message itself is unaffected.
    logger.warn({ event: 'dmarc.record-failed', err, queueId: ctx.queueId })
  })
  return proceed
}

/** The stored evaluation of one message, from the authentication outcome and the envelope. */
export function toEvaluation(row: DmarcReportRow, ctx: PipelineContext): DmarcEvaluation {
  const { transaction, session } = ctx
  const mailFrom = transaction.mailFrom
  const helo = session.greeting.kind === 'none' ? '' : session.greeting.domain
  // RFC 7489 appendix C: envelope_from is the RFC5321.MailFrom domain (HELO when null).
  const envelopeFrom = mailFrom === '' ? helo : mailFrom.slice(mailFrom.lastIndexOf('@') + 1)
  const firstRcpt = transaction.rcpts[0]?.address ?? ''
  const dkim = row.dkim.map((d) => {
    // RFC 7489 3.1.1: aligned under the record's adkim= mode.
    const aligned = d.result === 'pass' && isAligned(d.domain, row.headerFrom, row.record.adkim)
    return { domain: d.domain, selector: d.selector, result: d.result, aligned }
  })
  return {
    evaluatedAt: ctx.receivedAt,
    policyDomain: row.policyDomain.toLowerCase(),
    sourceIp: row.sourceIp === '' ? session.conn.remoteAddress : row.sourceIp,
    headerFrom: row.headerFrom.toLowerCase(),
    envelopeFrom: envelopeFrom.toLowerCase(),
    envelopeTo: firstRcpt.slice(firstRcpt.lastIndexOf('@') + 1).toLowerCase(),
    spf: {
      domain: row.spf.domain.toLowerCase(),
      scope: mailFrom === '' ? 'helo' : 'mfrom',
      result: row.spf.result,
      aligned: row.spfAligned,
    },
    dkim,
    dmarcResult: row.dkimAligned || row.spfAligned ? 'pass' : 'fail',
    policy: effectivePolicy(row),
    disposition: row.disposition,
    reasons: row.overrides.map((o) =>
      o.comment === undefined ? { type: o.type } : { type: o.type, comment: o.comment },
    ),
  }
}

/** The policy that applied: sp= for a subdomain when the record is the parent's. */
function effectivePolicy(row: DmarcReportRow): DmarcReportRow['disposition'] {
  const isOwnRecord = row.record.domain.toLowerCase() === row.headerFrom.toLowerCase()
  return isOwnRecord ? row.record.p : (row.record.sp ?? row.record.p)
}
