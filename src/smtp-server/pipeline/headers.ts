// Stage "headers": the trace field every receiving server adds (RFC 5321 4.4), with the
// "with" protocol names of RFC 3848 (ESMTP, ESMTPS) and RFC 6531 (UTF8SMTP, UTF8SMTPS).
import { proceed, type PipelineContext, type StageResult } from './context.ts'

export function headers(ctx: PipelineContext): StageResult {
  ctx.prepend.push(receivedField(ctx))
  return proceed
}

function receivedField(ctx: PipelineContext): string {
  const { session, transaction } = ctx
  const helo = session.greeting.kind === 'none' ? 'unknown' : session.greeting.domain
  const esmtp = session.greeting.kind === 'ehlo'
  let protocol = transaction.params.smtputf8 ? 'UTF8SMTP' : esmtp ? 'ESMTP' : 'SMTP'
  if (session.isTls) protocol += 'S'
  const ip = session.conn.remoteAddress
  const literal = ip.includes(':') ? `IPv6:${ip}` : ip
  // One recipient may be named; several are not disclosed to each other (RFC 5321 7.6).
  const only = transaction.rcpts.length === 1 ? transaction.rcpts[0] : undefined
  const forClause = only ? `\r\n\tfor <${only.address}>` : ''
  const date = formatRfc5322Date(new Date(ctx.receivedAt))
  return (
    `Received: from ${sanitize(helo)} ([${literal}])\r\n` +
    `\tby ${session.deps.settings.hostname} (Postern) with ${protocol} id ${ctx.queueId}` +
    `${forClause};\r\n\t${date}\r\n`
  )
}

/** A client-supplied name goes into a header: keep it printable and on one line. */
function sanitize(value: string): string {
  return value.replace(/[^\x21-\x7e]/g, '?').slice(0, 255)
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** RFC 5322 3.3 date-time in UTC: "Sat, 28 Nov 2026 02:38:04 +0000". */
export function formatRfc5322Date(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return (
    `${DAYS[d.getUTCDay()] ?? ''}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()] ?? ''} ` +
    `${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:` +
    `${pad(d.getUTCSeconds())} +0000`
  )
}
