// Stage "bounce-record" (mx role, after enqueue-or-deliver): a bounce for one of Postern's own
// senders that was just delivered locally is recorded against the queued original (history,
// suppression list) by src/queue/bounce-recorder.ts. It runs after the commit and in the
// background: it never rejects the message nor delays the reply.
import { isBounceCandidate, recordInboundBounce } from '../../queue/bounce-recorder.ts'
import { logEvent } from '../../telemetry/events.ts'
import { proceed, type PipelineContext, type StageResult } from './context.ts'

export function bounceRecord(ctx: PipelineContext): StageResult {
  const { deps } = ctx.session
  if (deps.settings.role !== 'mx' || ctx.delivered === 0) return proceed
  if (!isBounceCandidate(ctx.transaction.mailFrom)) return proceed
  const opts = { store: deps.store, clock: deps.clock, logger: deps.logger }
  void recordInboundBounce(opts, ctx.body).catch((err: unknown) => {
    logEvent(deps.logger, 'queue.error', { err, phase: 'bounce-record' }, 'warn')
  })
  return proceed
}
