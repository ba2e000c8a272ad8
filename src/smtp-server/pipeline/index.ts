// The DATA pipeline: the ordered list of stages every accepted message goes through (STYLE.md:
// parse → loop-check → spf/dkim/dmarc → headers → spam → route → enqueue-or-deliver). Each
// stage checks the session's role itself: mx stages do nothing on submission and the reverse.
import { randomInt } from 'node:crypto'
import type { PipelineContext, Stage } from './context.ts'
import type { SmtpSession } from '../session.ts'
import type { Transaction } from '../session-state.ts'
import { parse } from './parse.ts'
import { loopCheck } from './loop-check.ts'
import { authenticate } from './authenticate.ts'
import { withDmarcRecord } from './dmarc-record.ts'
import { forward } from './forward.ts'
import { dmarcReportIntake } from './dmarc-report-intake.ts'
import { headers } from './headers.ts'
import { route } from './route.ts'
import { enqueueOrDeliver } from './enqueue-or-deliver.ts'
import { bounceRecord } from './bounce-record.ts'
import { submission } from './submission.ts'
import { dkimSign } from './dkim-sign.ts'
import { spam } from './spam.ts'

export const stages: readonly Stage[] = [
  parse,
  loopCheck,
  // mx role: SPF, DKIM, DMARC, ARC; Authentication-Results; DMARC policy. withDmarcRecord:
  // the evaluation is recorded for aggregate reports, rejected messages included.
  withDmarcRecord(authenticate),
  headers,
  submission, // submission role: From ownership, Message-ID/Date
  spam, // mx: X-Spam-* headers, Junk or 550; submission: pre-flight (after the MSA's fields)
  dkimSign, // submission role, last before routing: signs what is stored and sent
  route,
  dmarcReportIntake, // mx role: DMARC aggregate reports sent to our domains are stored
  forward, // mx role, remote alias targets: SRS envelope sender, ARC seal
  enqueueOrDeliver,
  bounceRecord, // mx role: an inbound DSN about our own mail → queue history, suppression
]

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
  // randomInt draws from a cached block of CSPRNG bytes (randomBytes filled a new buffer each
  // time: ~7x slower).
  return `${now.toString(36)}-${randomInt(0x1000000).toString(16).padStart(6, '0')}`
}
