// Stage "loop-check": a message that has passed through too many hosts is looping
// (RFC 5321 6.3: count Received fields; 554 5.4.6 as RFC 3463 names routing loops).
import { SmtpReplyError, C554TransactionFailed, Es546RoutingLoop } from '../../smtp/codes.ts'
import { proceed, type PipelineContext, type StageResult } from './context.ts'

export function loopCheck(ctx: PipelineContext): StageResult {
  const max = ctx.session.deps.settings.maxReceivedHeaders
  const count = ctx.headers?.receivedCount ?? 0
  if (count <= max) return proceed
  return {
    kind: 'reject',
    error: new SmtpReplyError(
      C554TransactionFailed,
      Es546RoutingLoop,
      `mail loop detected: ${count} Received headers`,
    ),
  }
}
