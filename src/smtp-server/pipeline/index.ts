// The DATA pipeline: the ordered list of stages every accepted message goes through
// (STYLE.md: parse → loop-check → spf → dkim-verify → dmarc → headers → spam → hooks → route
// → enqueue-or-deliver; the authentication and spam stages arrive with their issues).
import { randomBytes } from 'node:crypto'
import type { PipelineContext, Stage } from './context.ts'
import type { SmtpSession } from '../session.ts'
import type { Transaction } from '../session-state.ts'
import { parse } from './parse.ts'
import { loopCheck } from './loop-check.ts'
import { headers } from './headers.ts'
import { route } from './route.ts'
import { enqueueOrDeliver } from './enqueue-or-deliver.ts'

export const stages: readonly Stage[] = [parse, loopCheck, headers, route, enqueueOrDeliver]

export interface PipelineOutcome {
  queueId: string
  size: number
  delivered: number
}

/** Runs every stage in order; a stage's rejection is thrown as the reply to end-of-data. */
export async function runPipeline(input: {
  session: SmtpSession
  transaction: Transaction
  body: Buffer
}): Promise<PipelineOutcome> {
  const receivedAt = input.session.deps.clock()
  const ctx: PipelineContext = {
    ...input,
    queueId: newQueueId(receivedAt),
    receivedAt,
    prepend: [],
    mailbox: 'INBOX',
    local: [],
    remote: [],
    delivered: 0,
  }
  for (const stage of stages) {
    const result = await stage(ctx)
    if (result.kind === 'reject') throw result.error
  }
  return { queueId: ctx.queueId, size: input.body.length, delivered: ctx.delivered }
}

/** Sortable by time, unique by its random tail: "mf3k2a9x-5c1e0b". */
function newQueueId(now: number): string {
  return `${now.toString(36)}-${randomBytes(3).toString('hex')}`
}
