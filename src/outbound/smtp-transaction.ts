// One mail transaction on an open client session (RFC 5321 3.3): MAIL FROM, one RCPT TO per
// recipient, DATA, the body, the final "."; with PIPELINING (RFC 2920 3.1) MAIL and every
// RCPT go in one write and the replies are read after. Each recipient gets its own outcome
// from its RCPT reply; the reply to DATA or to the final "." applies to every recipient whose
// RCPT was accepted (RFC 5321 3.3). Local checks come first: a message over the server's SIZE
// (RFC 1870 6) is refused with 5.3.4 and one that needs SMTPUTF8 from a server without it
// (RFC 6531 3.5) with 5.6.7, both without sending MAIL. After an aborted transaction the
// session is reset with RSET (RFC 5321 4.1.1.5) so it can carry the next one.
import {
  C552ExceededStorage,
  C553MailboxNameNotAllowed,
  Es534MsgTooBig,
  Es567NonAsciiAddress,
} from '../smtp/codes.ts'
import {
  DATA_COMMAND,
  RSET_COMMAND,
  dataBody,
  mailFromCommand,
  rcptToCommand,
} from '../smtp-client/commands.ts'
import { formatReplyForLog, type SmtpReply } from '../smtp-client/reply.ts'
import type { DeliveryRequest, RecipientOutcome, RemoteReply } from './transport.ts'
import type { SmtpConnection } from './smtp-connection.ts'
import { localReply, toRemoteReply, type OutboundTimeouts } from './smtp-session.ts'

export interface TransactionResult {
  recipients: RecipientOutcome[]
  /** The session may carry another transaction. */
  reusable: boolean
}

export interface TransactionOptions {
  timeouts: OutboundTimeouts
  log: (line: string) => void
  onReply?: (reply: SmtpReply) => void
}

export function outcomeKind(code: number): RecipientOutcome['kind'] {
  if (code >= 200 && code < 300) return 'delivered'
  return code >= 500 ? 'permanent' : 'temporary'
}

/** Runs one transaction; a ConnectionFailure thrown from here means the connection broke. */
export async function runTransaction(
  conn: SmtpConnection,
  request: DeliveryRequest,
  opts: TransactionOptions,
): Promise<TransactionResult> {
  const caps = conn.capabilities
  const all = (reply: RemoteReply): RecipientOutcome[] =>
    request.recipients.map((r) => ({
      id: r.id,
      kind: outcomeKind(reply.code),
      reply,
      remoteHost: conn.label,
    }))
  if (caps === undefined) throw new Error('runTransaction before EHLO')
  const refusal = localRefusal(request, caps.size, caps.smtputf8)
  if (refusal) {
    opts.log(`not sent: ${refusal.text}`)
    return { recipients: all(refusal), reusable: true }
  }
  if (request.eightBit === true && !caps.eightBitMime) {
    opts.log('8-bit body sent to a server without 8BITMIME (no conversion done)')
  }
  const step = new Steps(conn, opts)
  const mailLine = mailFromCommand({
    from: request.mailFrom,
    ...(caps.size === undefined ? {} : { size: request.message.length }),
    eightBitMime: request.eightBit === true && caps.eightBitMime,
    smtputf8: request.smtputf8 === true,
    // RFC 3461 4: DSN parameters only to a server that offers DSN.
    ...(caps.dsn && request.ret !== undefined ? { ret: request.ret } : {}),
    ...(caps.dsn && request.envid !== undefined ? { envid: request.envid } : {}),
  })
  const rcptLines = request.recipients.map((r) =>
    rcptToCommand({
      to: r.address,
      ...(caps.dsn && r.notify !== undefined ? { notify: r.notify } : {}),
      ...(caps.dsn && r.orcpt !== undefined ? { orcpt: r.orcpt } : {}),
    }),
  )
  const replies = caps.pipelining
    ? await step.pipelined([mailLine, ...rcptLines])
    : await step.oneByOne([mailLine, ...rcptLines])
  const [mailReply, ...rcptReplies] = replies
  if (mailReply === undefined || mailReply.code >= 300) {
    const reply = mailReply ? toRemoteReply(mailReply) : localReply(451, '4.3.0', 'no reply')
    return { recipients: all(reply), reusable: await step.reset(mailReply) }
  }
  const outcomes: RecipientOutcome[] = []
  const accepted: number[] = []
  request.recipients.forEach((r, i) => {
    const reply = rcptReplies[i]
    if (reply === undefined) return
    if (reply.code >= 200 && reply.code < 300) accepted.push(r.id)
    else
      outcomes.push({
        id: r.id,
        kind: outcomeKind(reply.code),
        reply: toRemoteReply(reply),
        remoteHost: conn.label,
      })
  })
  if (accepted.length === 0) return { recipients: outcomes, reusable: await step.reset(mailReply) }
  const finalReply = await step.data(request.message)
  const reply = toRemoteReply(finalReply.reply)
  for (const id of accepted) {
    outcomes.push({ id, kind: outcomeKind(reply.code), reply, remoteHost: conn.label })
  }
  const reusable = finalReply.sent
    ? finalReply.reply.code !== 421
    : await step.reset(finalReply.reply)
  if (finalReply.sent) conn.messagesSent += 1
  return { recipients: order(request, outcomes), reusable }
}

/** Refusals decided before MAIL: too big for the server, or SMTPUTF8 needed and missing. */
function localRefusal(
  request: DeliveryRequest,
  size: number | undefined,
  hasSmtputf8: boolean,
): RemoteReply | undefined {
  // RFC 1870 6: a message larger than the declared SIZE will be refused; do not send it.
  if (size !== undefined && size > 0 && request.message.length > size) {
    return localReply(
      C552ExceededStorage,
      Es534MsgTooBig,
      `message of ${String(request.message.length)} bytes exceeds the server's limit of ${String(size)}`,
    )
  }
  // RFC 6531 3.5: no downgrade; a message that needs SMTPUTF8 cannot go to this server.
  if (request.smtputf8 === true && !hasSmtputf8) {
    return localReply(
      C553MailboxNameNotAllowed,
      Es567NonAsciiAddress,
      'the message needs SMTPUTF8 and the server does not offer it',
    )
  }
  return undefined
}

function order(request: DeliveryRequest, outcomes: RecipientOutcome[]): RecipientOutcome[] {
  const rank = new Map(request.recipients.map((r, i) => [r.id, i]))
  return outcomes.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0))
}

/** The wire steps, each logged. */
class Steps {
  readonly conn: SmtpConnection
  readonly opts: TransactionOptions

  constructor(conn: SmtpConnection, opts: TransactionOptions) {
    this.conn = conn
    this.opts = opts
  }

  async read(timeoutMs: number): Promise<SmtpReply> {
    const reply = await this.conn.read(timeoutMs)
    this.opts.onReply?.(reply)
    this.opts.log(`<<< ${formatReplyForLog(reply)}`)
    return reply
  }

  /** RFC 2920 3.1: the commands in one write, then every reply, in order. */
  async pipelined(lines: string[]): Promise<SmtpReply[]> {
    for (const line of lines) this.opts.log(`>>> ${line.trimEnd()}`)
    await this.conn.write(lines.join(''), this.opts.timeouts.commandMs)
    const replies: SmtpReply[] = []
    for (let i = 0; i < lines.length; i++)
      replies.push(await this.read(this.opts.timeouts.commandMs))
    return replies
  }

  /** Without PIPELINING: one at a time; stops after a refused MAIL. */
  async oneByOne(lines: string[]): Promise<SmtpReply[]> {
    const replies: SmtpReply[] = []
    for (const line of lines) {
      this.opts.log(`>>> ${line.trimEnd()}`)
      await this.conn.write(line, this.opts.timeouts.commandMs)
      const reply = await this.read(this.opts.timeouts.commandMs)
      replies.push(reply)
      if (replies.length === 1 && reply.code >= 300) break
    }
    return replies
  }

  /** DATA, then the body when the server said 354; `sent` tells whether the body went. */
  async data(message: Buffer): Promise<{ reply: SmtpReply; sent: boolean }> {
    this.opts.log('>>> DATA')
    await this.conn.write(DATA_COMMAND, this.opts.timeouts.commandMs)
    const go = await this.read(this.opts.timeouts.dataInitMs)
    if (go.code !== 354) return { reply: go, sent: false }
    const body = dataBody(message)
    this.opts.log(`>>> (${String(body.length)} bytes of message)`)
    const block = 64 * 1024
    for (let at = 0; at < body.length; at += block) {
      await this.conn.write(body.subarray(at, at + block), this.opts.timeouts.dataBlockMs)
    }
    return { reply: await this.read(this.opts.timeouts.dataEndMs), sent: true }
  }

  /** RSET after an aborted transaction; true when the session can go on. */
  async reset(last: SmtpReply | undefined): Promise<boolean> {
    // RFC 5321 3.8: 421 means the server is closing the channel.
    if (last?.code === 421 || this.conn.broken) return false
    try {
      this.opts.log('>>> RSET')
      await this.conn.write(RSET_COMMAND, this.opts.timeouts.commandMs)
      const reply = await this.read(this.opts.timeouts.commandMs)
      return reply.code === 250
    } catch {
      return false
    }
  }
}
