// What happens to a message body once it has been read: DATA's single body, or BDAT chunks
// gathered until LAST (RFC 3030). Both end in the same pipeline and reply.
import {
  SmtpReplyError,
  C250Ok,
  C503BadSequence,
  C552ExceededStorage,
  C554TransactionFailed,
  Es200Other,
  Es510OtherAddress,
  Es534MsgTooBig,
  Es551InvalidCommand,
} from '../smtp/codes.ts'
import { runPipeline } from './pipeline/index.ts'
import type { SmtpSession } from './session.ts'
import type { Transaction } from './session-state.ts'

export async function runData(
  session: SmtpSession,
  body: Buffer,
  bareLineEnds: boolean,
): Promise<void> {
  const txn = takeTransaction(session)
  if (bareLineEnds) {
    // RFC 5321 2.3.8: bare CR/LF are not line ends; they never ended the message here.
    session.deps.logger.info({ event: 'smtp.bare-line-end', ...session.logFields() })
  }
  await finish(session, txn, body)
}

export async function runBdatChunk(
  session: SmtpSession,
  chunk: Buffer,
  last: boolean,
): Promise<void> {
  const txn = session.transaction
  if (!txn) throw new SmtpReplyError(C503BadSequence, Es551InvalidCommand, 'need MAIL first')
  if (txn.rcpts.length === 0) {
    throw new SmtpReplyError(C554TransactionFailed, Es510OtherAddress, 'no valid recipients')
  }
  txn.chunks ??= []
  txn.chunks.push(chunk)
  if (!last) {
    session.reply(C250Ok, Es200Other, `${chunk.length} octets received`)
    return
  }
  session.transaction = undefined
  await finish(session, txn, Buffer.concat(txn.chunks))
}

/** A body over the size limit: the transaction ends with 552 5.3.4 (RFC 1870 6.3). */
export function rejectMessage(session: SmtpSession, reason: 'too-large'): void {
  session.transaction = undefined
  session.deps.metrics.messagesRejected.inc({ role: session.deps.settings.role, reason })
  const max = session.deps.settings.maxMessageBytes
  throw new SmtpReplyError(
    C552ExceededStorage,
    Es534MsgTooBig,
    `message exceeds fixed maximum message size of ${max} bytes`,
  )
}

function takeTransaction(session: SmtpSession): Transaction {
  const txn = session.transaction
  // The reader only enters DATA mode after a 354, which needs a transaction.
  if (!txn) throw new SmtpReplyError(C503BadSequence, Es551InvalidCommand, 'need MAIL first')
  session.transaction = undefined
  return txn
}

async function finish(session: SmtpSession, txn: Transaction, body: Buffer): Promise<void> {
  const { metrics, settings, logger } = session.deps
  try {
    const result = await runPipeline({ session, transaction: txn, body })
    session.accepted++
    metrics.messagesAccepted.inc({ role: settings.role })
    metrics.deliveries.inc(result.delivered)
    logger.info({
      event: 'smtp.message-accepted',
      queueId: result.queueId,
      size: result.size,
      from: txn.mailFrom,
      to: txn.rcpts.slice(0, 20).map((r) => r.address),
      rcpts: txn.rcpts.length,
      delivered: result.delivered,
      ...session.logFields(),
    })
    session.reply(C250Ok, Es200Other, `OK, queued as ${result.queueId}`)
  } catch (err) {
    if (err instanceof SmtpReplyError) {
      metrics.messagesRejected.inc({ role: settings.role, reason: String(err.code) })
      logger.info({ event: 'smtp.message-rejected', reply: err.message, ...session.logFields() })
    }
    throw err
  } finally {
    session.resetMessageSize()
  }
}
