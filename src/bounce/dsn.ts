// Delivery status notifications (RFC 3464): the message/delivery-status body (2.1) holds one
// group of per-message fields (2.2: Reporting-MTA, Original-Envelope-Id, Arrival-Date...) and
// one group of per-recipient fields per recipient (2.3: Original-Recipient, Final-Recipient,
// Action, Status, Remote-MTA, Diagnostic-Code, Last-Attempt-Date...), separated by blank lines.
// message/global-delivery-status (RFC 6533 3) has the same syntax in UTF-8.
//
// Real DSNs are often sloppy: groups without blank lines, several recipients in one group,
// a missing Final-Recipient with only Original-Recipient. A new recipient starts at a blank
// line or at a second Final-Recipient in the same group.

import { headerFieldsOf, oneLine, typedAddress } from './message-text.ts'
import { statusFromText } from './reason.ts'

/** One per-recipient group of RFC 3464 2.3. */
export interface DsnRecipient {
  recipient: string
  originalRecipient: string
  /** RFC 3464 2.3.3: lower-cased first word of Action. */
  action: string
  /** RFC 3464 2.3.4: the status code, '' when absent or malformed. */
  status: string
  /** The comment after the status code ("4.0.0 (host name lookup failure)"). */
  statusText: string
  /** RFC 3464 2.3.6: diagnostic type ("smtp", "x-unix"...), lower case. */
  diagnosticType: string
  /** RFC 3464 2.3.6: the diagnostic text, one line. */
  diagnostic: string
  /** RFC 3464 2.3.5: the Remote-MTA name. */
  remoteMta: string
}

/** The per-message fields used (RFC 3464 2.2) and the recipients. */
export interface DeliveryStatus {
  envelopeId: string
  reportingMta: string
  recipients: DsnRecipient[]
}

/** Most recipients read from one report. */
const MAX_RECIPIENTS = 1000

const PER_RECIPIENT = new Set([
  'original-recipient',
  'final-recipient',
  'action',
  'status',
  'remote-mta',
  'diagnostic-code',
  'last-attempt-date',
  'final-log-id',
  'will-retry-until',
  'x-actual-recipient',
])

function afterSemicolon(value: string): string {
  const semi = value.indexOf(';')
  return (semi >= 0 ? value.slice(semi + 1) : value).trim()
}

function typeBeforeSemicolon(value: string): string {
  const semi = value.indexOf(';')
  return semi >= 0 ? value.slice(0, semi).trim().toLowerCase() : ''
}

function emptyRecipient(): DsnRecipient {
  return {
    recipient: '',
    originalRecipient: '',
    action: '',
    status: '',
    statusText: '',
    diagnosticType: '',
    diagnostic: '',
    remoteMta: '',
  }
}

/** Split the body into field groups at blank lines (RFC 3464 2.1). */
function groups(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .filter((g) => g.trim() !== '')
}

function applyField(r: DsnRecipient, key: string, value: string): void {
  switch (key) {
    case 'final-recipient': // RFC 3464 2.3.2
      r.recipient = typedAddress(value)
      break
    case 'original-recipient': // RFC 3464 2.3.1
      r.originalRecipient = typedAddress(value)
      break
    case 'x-actual-recipient':
      if (r.recipient === '') r.recipient = typedAddress(value)
      break
    case 'action': // RFC 3464 2.3.3
      r.action = (/^[a-z]+/i.exec(value.trim())?.[0] ?? '').toLowerCase()
      break
    case 'status': // RFC 3464 2.3.4
      r.status = statusFromText(value)
      r.statusText = oneLine(value.replace(/^\s*[\d.]+\s*/, '').replace(/^\((.*)\)$/, '$1'))
      break
    case 'remote-mta': // RFC 3464 2.3.5
      r.remoteMta = afterSemicolon(value)
      break
    case 'diagnostic-code': // RFC 3464 2.3.6
      r.diagnosticType = typeBeforeSemicolon(value)
      r.diagnostic = oneLine(afterSemicolon(value))
      break
    default:
      break
  }
}

/** Parse a message/delivery-status (or message/global-delivery-status) body. */
export function parseDeliveryStatus(text: string): DeliveryStatus {
  const result: DeliveryStatus = { envelopeId: '', reportingMta: '', recipients: [] }
  for (const group of groups(text)) {
    let current: DsnRecipient | undefined
    for (const f of headerFieldsOf(group)) {
      if (f.key === 'original-envelope-id')
        result.envelopeId = f.value.trim() // RFC 3464 2.2.1
      else if (f.key === 'reporting-mta') result.reportingMta = afterSemicolon(f.value) // 2.2.2
      if (!PER_RECIPIENT.has(f.key)) continue
      const startsNew =
        current === undefined ||
        (f.key === 'final-recipient' && current.recipient !== '') ||
        (f.key === 'original-recipient' && current.originalRecipient !== '')
      if (startsNew) {
        if (result.recipients.length >= MAX_RECIPIENTS) return result
        current = emptyRecipient()
        result.recipients.push(current)
      }
      if (current !== undefined) applyField(current, f.key, f.value)
    }
  }
  for (const r of result.recipients) if (r.recipient === '') r.recipient = r.originalRecipient
  result.recipients = result.recipients.filter((r) => r.recipient !== '')
  return result
}

const DSN_FIELD =
  /^(reporting-mta|received-from-mta|arrival-date|original-envelope-id|dsn-gateway|x-[a-z0-9-]+|original-recipient|final-recipient|action|status|remote-mta|diagnostic-code|last-attempt-date|will-retry-until|final-log-id):/i

/**
 * The delivery-status fields of a report whose MIME structure is broken (a multipart without
 * usable boundaries): the run of field groups starting at the first Reporting-MTA,
 * Original-Recipient or Final-Recipient line at the start of a line; '' when there is none.
 */
export function findEmbeddedDeliveryStatus(text: string): string {
  const start = text.search(/^(reporting-mta|original-recipient|final-recipient):/im)
  if (start < 0) return ''
  const kept: string[] = []
  for (const group of groups(text.slice(start, start + 200_000))) {
    const first = group.replace(/^\s+/, '')
    if (!DSN_FIELD.test(first)) break
    kept.push(first)
    if (kept.length >= MAX_RECIPIENTS) break
  }
  return kept.join('\n\n')
}
