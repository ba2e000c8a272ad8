// Stage "enqueue-or-deliver": stores the message once, links it into every local mailbox and
// queues remote recipients, in one durable commit (store.accept resolves after fsync).
import type { AcceptInput, DsnEnvelope } from '../../store/types.ts'
import { proceed, type PipelineContext, type StageResult } from './context.ts'

export async function enqueueOrDeliver(ctx: PipelineContext): Promise<StageResult> {
  const { params, mailFrom } = ctx.transaction
  const dsn: DsnEnvelope = {}
  if (params.ret) dsn.ret = params.ret
  if (params.envid !== undefined) dsn.envid = params.envid
  const input: AcceptInput = {
    raw: Buffer.concat([Buffer.from(ctx.prepend.join(''), 'utf8'), ctx.body]),
    receivedAt: ctx.receivedAt,
    mailFrom,
    dsn,
    local: ctx.local,
    remote: ctx.remote,
    ...(ctx.remoteMailFrom === undefined ? {} : { remoteMailFrom: ctx.remoteMailFrom }),
    ...(ctx.submitter === undefined ? {} : { submitter: ctx.submitter }),
  }
  const result = await ctx.session.deps.store.accept(input)
  ctx.delivered = result.delivered.length
  if (result.queuedId !== null) ctx.session.deps.onQueued?.()
  return proceed
}
