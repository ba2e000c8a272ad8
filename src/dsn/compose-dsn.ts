// Delivery Status Notifications (RFC 3464): the report Postern sends to a sender when a queued
// recipient failed, is delayed, or (NOTIFY=SUCCESS) was relayed. A multipart/report (RFC 6522,
// which obsoletes RFC 3462) with report-type=delivery-status: a human-readable part, the
// machine-readable message/delivery-status part, and the original message (message/rfc822) or
// its header only (text/rfc822-headers) as RET asks (RFC 3461 4.3). Pure: no store, no clock.
//
// Internationalized mail (RFC 6533) — an original that needed SMTPUTF8, a non-ASCII address, or
// UTF-8 in the original's header (RFC 6532) — gets the global form instead: report-type
// global-delivery-status, a message/global-delivery-status part whose non-ASCII addresses use
// the "utf-8" address type, and the original as message/global or its header as
// message/global-headers. ASCII mail keeps the RFC 3464 form unchanged.

import { randomBytes } from 'node:crypto'

export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded'

export interface DsnRecipientReport {
  /** The address the queue tried (Final-Recipient, RFC 3464 2.3.2). */
  finalRecipient: string
  /** RFC 3461 4.2 ORCPT as given: "rfc822;user@example.org" (Original-Recipient, 2.3.1). */
  originalRecipient?: string
  action: DsnAction
  /** RFC 3463 status code, e.g. "5.1.1". */
  status: string
  /** The server that answered (Remote-MTA, 2.3.5), a host name or address. */
  remoteMta?: string
  /** The remote SMTP reply (Diagnostic-Code, 2.3.6), e.g. "550 5.1.1 no such user". */
  diagnostic?: string
  /** Epoch ms (Last-Attempt-Date, 2.3.7). */
  lastAttemptAt?: number
  /** Epoch ms (Will-Retry-Until, 2.3.9), for delayed reports. */
  willRetryUntil?: number
}

export interface DsnInput {
  /** This server's host name: Reporting-MTA and the From domain. */
  reportingMta: string
  /** The envelope sender of the original message, to whom the report goes. */
  to: string
  /** RFC 3461 4.4 ENVID (Original-Envelope-Id, RFC 3464 2.2.1). */
  envid?: string
  /** Epoch ms the original was queued (Arrival-Date, 2.2.5). */
  arrivalDate: number
  /** Epoch ms: the report's Date. */
  date: number
  recipients: DsnRecipientReport[]
  /** The original message as stored (CRLF). */
  original: Buffer
  /** 'full': the whole message; 'headers': its header block only. */
  returnContent: 'full' | 'headers'
  /**
   * RFC 6533: compose the global (internationalized) form. Also chosen whenever an address or
   * the original's header is not ASCII (see isInternationalDsn).
   */
  international?: boolean
}

const NON_ASCII = /[^\p{ASCII}]/u

/**
 * Whether the DSN must take the RFC 6533 form: the caller says the original needed SMTPUTF8,
 * or an address it reports on or returns to is not ASCII (RFC 6531 3.3), or the original's
 * header carries UTF-8 (RFC 6532 3.2), which message/rfc822 and text/rfc822-headers cannot hold.
 */
export function isInternationalDsn(input: DsnInput): boolean {
  if (input.international === true || NON_ASCII.test(input.to)) return true
  const addresses = input.recipients.flatMap((r) => [r.finalRecipient, r.originalRecipient ?? ''])
  if (addresses.some((a) => NON_ASCII.test(a))) return true
  return headerBlock(input.original).some((byte) => byte > 0x7f)
}

/** RFC 5322 3.3 date-time in UTC ("Sat, 28 Nov 2026 05:11:28 +0000"). */
export function rfc5322Date(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000')
}

/** Removes CR and LF so a value can never start a new field. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim()
}

/** The header block of a message (up to and including the empty line), or all of it. */
export function headerBlock(raw: Buffer): Buffer {
  if (raw.length >= 2 && raw[0] === 0x0d && raw[1] === 0x0a) return raw.subarray(0, 2)
  const end = raw.indexOf('\r\n\r\n')
  return end < 0 ? raw : raw.subarray(0, end + 4)
}

function subjectFor(recipients: DsnRecipientReport[]): string {
  const actions = new Set(recipients.map((r) => r.action))
  if (actions.has('failed')) return 'Undelivered Mail Returned to Sender'
  if (actions.has('delayed')) return 'Delayed Mail (still being retried)'
  return 'Successful Mail Delivery Report'
}

function humanText(input: DsnInput): string {
  const lines = [`This is the mail system at host ${input.reportingMta}.`, '']
  const failed = input.recipients.filter((r) => r.action === 'failed')
  const delayed = input.recipients.filter((r) => r.action === 'delayed')
  const done = input.recipients.filter((r) => r.action === 'delivered' || r.action === 'relayed')
  if (failed.length > 0) {
    lines.push('Your message could not be delivered to one or more recipients.')
    lines.push('It is attached below. The reasons:', '')
  }
  if (delayed.length > 0) {
    lines.push('Your message has not been delivered yet to the recipients below.')
    lines.push('The mail system will keep trying; you do not need to resend it.', '')
  }
  if (done.length > 0) lines.push('Your message was delivered to the recipients below.', '')
  for (const r of input.recipients) {
    const why = r.diagnostic === undefined ? '' : `: ${oneLine(r.diagnostic)}`
    const host = r.remoteMta === undefined ? '' : ` (host ${oneLine(r.remoteMta)})`
    lines.push(`<${oneLine(r.finalRecipient)}>${host}${why}`)
  }
  return lines.join('\r\n') + '\r\n'
}

/** RFC 6533 3: a non-ASCII address has the "utf-8" address type (global form only). */
function addressType(address: string): string {
  return NON_ASCII.test(address) ? 'utf-8' : 'rfc822'
}

function recipientFields(r: DsnRecipientReport): string[] {
  const f: string[] = []
  // RFC 3464 2.3.1: Original-Recipient carries the ORCPT address-type and address as given.
  if (r.originalRecipient !== undefined)
    f.push(`Original-Recipient: ${oneLine(r.originalRecipient)}`)
  const final = oneLine(r.finalRecipient)
  f.push(`Final-Recipient: ${addressType(final)}; ${final}`) // RFC 3464 2.3.2, RFC 6533 3
  f.push(`Action: ${r.action}`) // RFC 3464 2.3.3
  f.push(`Status: ${r.status}`) // RFC 3464 2.3.4
  if (r.remoteMta !== undefined) f.push(`Remote-MTA: dns; ${oneLine(r.remoteMta)}`) // 2.3.5
  if (r.diagnostic !== undefined) f.push(`Diagnostic-Code: smtp; ${oneLine(r.diagnostic)}`) // 2.3.6
  if (r.lastAttemptAt !== undefined) f.push(`Last-Attempt-Date: ${rfc5322Date(r.lastAttemptAt)}`)
  if (r.willRetryUntil !== undefined) {
    f.push(`Will-Retry-Until: ${rfc5322Date(r.willRetryUntil)}`) // RFC 3464 2.3.9
  }
  return f
}

/** The message/delivery-status body (RFC 3464 2.1): per-message fields, then per-recipient. */
export function deliveryStatusBody(input: DsnInput): string {
  const perMessage = [`Reporting-MTA: dns; ${oneLine(input.reportingMta)}`] // RFC 3464 2.2.2
  if (input.envid !== undefined) perMessage.push(`Original-Envelope-Id: ${oneLine(input.envid)}`)
  perMessage.push(`Arrival-Date: ${rfc5322Date(input.arrivalDate)}`) // RFC 3464 2.2.5
  const blocks = [perMessage, ...input.recipients.map(recipientFields)]
  return blocks.map((b) => b.join('\r\n') + '\r\n').join('\r\n')
}

/** The media types of the report's parts: RFC 3464 / RFC 6522, or RFC 6533's global ones. */
interface ReportTypes {
  reportType: string
  status: string
  returned: string
  /** RFC 6532 3.7: UTF-8 content travels as 8bit; no field in the ASCII form. */
  encoding: string
}

function reportTypes(input: DsnInput): ReportTypes {
  const isHeadersOnly = input.returnContent === 'headers'
  if (!isInternationalDsn(input)) {
    return {
      reportType: 'delivery-status',
      status: 'message/delivery-status',
      returned: isHeadersOnly ? 'text/rfc822-headers' : 'message/rfc822',
      encoding: '',
    }
  }
  return {
    reportType: 'global-delivery-status', // RFC 6522 3: the subtype of the second part
    status: 'message/global-delivery-status', // RFC 6533 4
    returned: isHeadersOnly ? 'message/global-headers' : 'message/global', // RFC 6533 4
    encoding: 'Content-Transfer-Encoding: 8bit\r\n',
  }
}

/** Composes the whole DSN message, CRLF line ends, ready for store.accept. */
export function composeDsn(input: DsnInput): Buffer {
  const boundary = `=_postern-dsn-${randomBytes(12).toString('hex')}`
  const messageId = `<dsn-${randomBytes(10).toString('hex')}@${input.reportingMta}>`
  const types = reportTypes(input)
  const header = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.reportingMta}>`,
    `To: <${oneLine(input.to)}>`,
    `Subject: ${subjectFor(input.recipients)}`,
    `Date: ${rfc5322Date(input.date)}`,
    `Message-ID: ${messageId}`,
    'Auto-Submitted: auto-replied', // RFC 3834 5: never answered automatically
    'MIME-Version: 1.0',
    // RFC 6522 3: multipart/report with the report-type of the second part.
    `Content-Type: multipart/report; report-type=${types.reportType};\r\n\tboundary="${boundary}"`,
  ].join('\r\n')
  const isHeadersOnly = input.returnContent === 'headers'
  const returned = isHeadersOnly ? headerBlock(input.original) : input.original
  const parts = [
    `${header}\r\n\r\nThis is a MIME-encapsulated delivery status notification.\r\n`,
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n${types.encoding}` +
      `Content-Description: Notification\r\n\r\n${humanText(input)}`,
    `--${boundary}\r\nContent-Type: ${types.status}\r\n${types.encoding}` +
      `Content-Description: Delivery report\r\n\r\n${deliveryStatusBody(input)}`,
    `--${boundary}\r\nContent-Type: ${types.returned}\r\n${types.encoding}` +
      `Content-Description: ${isHeadersOnly ? 'Undelivered message headers' : 'Undelivered message'}` +
      '\r\n\r\n',
  ]
  const tail = Buffer.from(
    `${returned.subarray(-2).toString('latin1') === '\r\n' ? '' : '\r\n'}--${boundary}--\r\n`,
  )
  return Buffer.concat([Buffer.from(parts.join(''), 'utf8'), returned, tail])
}
