// Stage "spam": the spam verdict (src/spam/analyze.ts). mx role: every message gets the
// X-Spam-Score and X-Spam-Status fields; at the junk threshold it goes to the Junk mailbox,
// at the reject threshold it is refused at end of data with 550 5.7.1 (RFC 5321 4.2.5: the
// reply to the final dot decides; RFC 3463 3.8: X.7.1 delivery not authorized, message
// refused). submission role: the pre-flight, refusing at the pre-flight threshold with the
// reasons so the sender can fix the message. Either way the full explanation is stored under
// the queue id (and the Message-ID) for `postern explain`.
import type { SpamAnalyzer } from '../../spam/analyze.ts'
import type { SignalInput } from '../../spam/signal.ts'
import { spamHeaderFields, topReasons, type SpamVerdict } from '../../spam/verdict.ts'
import {
  C550MailboxUnavailable,
  Es571DeliveryNotAuthorized,
  SmtpReplyError,
} from '../../smtp/codes.ts'
import { removeHeaderFields } from '../../mail/remove-header-fields.ts'
import { proceed, type PipelineContext, type StageResult } from './context.ts'

export interface SpamStageDeps {
  analyzer: SpamAnalyzer
  /** Run the pre-flight on submission listeners. */
  preflight: boolean
}

export async function spam(ctx: PipelineContext): Promise<StageResult> {
  const deps = ctx.session.deps.spam
  if (deps === undefined) return proceed
  const outbound = ctx.session.deps.settings.role !== 'mx' || ctx.submitter !== undefined
  if (outbound && !deps.preflight) return proceed
  const input = signalInput(ctx, outbound)
  let verdict: SpamVerdict
  try {
    verdict = await deps.analyzer.analyze(input)
  } catch (err) {
    // A filter failure must not lose or refuse mail: deliver unfiltered, and say so.
    ctx.session.deps.logger.error({ event: 'spam.failed', queueId: ctx.queueId, err })
    return proceed
  }
  storeExplanation(ctx, verdict)
  ctx.session.deps.logger.info({
    event: 'spam.verdict',
    queueId: ctx.queueId,
    direction: verdict.direction,
    score: verdict.score,
    action: verdict.action,
    rules: verdict.hits.filter((h) => h.score !== 0).map((h) => h.rule),
  })
  if (verdict.action === 'refuse') {
    const text = `Message refused by pre-flight spam check (score ${verdict.score.toFixed(1)}, id ${ctx.queueId}): ${topReasons(verdict)}`
    return refuse(text)
  }
  if (verdict.action === 'reject') {
    const text = `Message refused as spam (score ${verdict.score.toFixed(1)}, id ${ctx.queueId}): ${topReasons(verdict, 2, 200)}`
    return refuse(text)
  }
  if (!outbound) {
    dropForgedVerdicts(ctx)
    ctx.prepend.push(...spamHeaderFields(verdict))
    if (verdict.action === 'junk') ctx.mailbox = 'Junk'
  }
  return proceed
}

/** Verdict fields that arrived with the message are not ours: a reader must see only ours. */
const FORGEABLE = new Set(['x-spam-score', 'x-spam-status', 'x-spam-flag', 'x-spam-level'])

function dropForgedVerdicts(ctx: PipelineContext): void {
  const headerEnd = ctx.headers?.headerEnd ?? ctx.body.length
  const stripped = removeHeaderFields(ctx.body, headerEnd, (name) => FORGEABLE.has(name))
  if (stripped.removed === 0) return
  const removedBytes = ctx.body.length - stripped.message.length
  ctx.body = stripped.message
  if (ctx.headers !== undefined) {
    ctx.headers = { ...ctx.headers, headerEnd: headerEnd - removedBytes }
  }
}

function refuse(text: string): StageResult {
  return {
    kind: 'reject',
    error: new SmtpReplyError(C550MailboxUnavailable, Es571DeliveryNotAuthorized, text),
  }
}

function signalInput(ctx: PipelineContext, outbound: boolean): SignalInput {
  const { session, transaction } = ctx
  const helo = session.greeting.kind === 'none' ? '' : session.greeting.domain
  // Fields other stages prepended (Message-ID, Date of the MSA) count as part of the message.
  const raw =
    ctx.prepend.length === 0
      ? ctx.body
      : Buffer.concat([Buffer.from(ctx.prepend.join(''), 'utf8'), ctx.body])
  const accountIds = new Set<number>()
  if (!outbound)
    for (const r of transaction.rcpts) for (const a of r.accounts) accountIds.add(a.accountId)
  if (ctx.submitter !== undefined) accountIds.add(ctx.submitter.accountId)
  return {
    raw,
    clientIp: session.conn.remoteAddress,
    helo,
    mailFrom: transaction.mailFrom,
    rcpts: transaction.rcpts.map((r) => r.address),
    accountIds: [...accountIds],
    ...(ctx.auth === undefined ? {} : { auth: ctx.auth }),
    direction: outbound ? 'outbound' : 'inbound',
  }
}

/**
 * Stores the explanation without waiting for it: the write is submitted to the store's group
 * committer before the message's own accept, so both share one commit (and one fsync) instead
 * of the message waiting for a commit of its own. A failure is logged; the verdict stands.
 */
function storeExplanation(ctx: PipelineContext, verdict: SpamVerdict): void {
  // The client's Message-ID, else the one the MSA added (submission stage, RFC 6409 8.3).
  const added = /^Message-ID:[ \t]*(\S[^\r\n]*)/im.exec(ctx.prepend.join(''))?.[1]
  const messageId = ctx.headers?.messageId ?? added ?? null
  const { store, logger } = ctx.session.deps
  store.spamExplanations
    .save({
      queueId: ctx.queueId,
      messageId: messageId === '' ? null : messageId,
      direction: verdict.direction,
      score: verdict.score,
      action: verdict.action,
      createdAt: ctx.receivedAt,
      explanation: { queueId: ctx.queueId, messageId, ...verdict },
    })
    .catch((err: unknown) => {
      logger.warn({ event: 'spam.explanation-not-stored', queueId: ctx.queueId, err })
    })
}
