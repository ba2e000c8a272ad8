// Amazon SES notifications mailed through Amazon SNS: a JSON body (sometimes wrapped in the SNS
// envelope {"Type":"Notification","Message":"<json>"}) whose notificationType (or eventType)
// is Bounce (bounce.bouncedRecipients[] with emailAddress, action, status, diagnosticCode in
// the RFC 3464 2.3 forms), Complaint (complaint.complainedRecipients[], an abuse report like
// RFC 5965's, with complaintFeedbackType) or Delivery (delivery.recipients[], smtpResponse).
// Mail gateways fold long lines, so line breaks (and a "!" some put before them) are removed
// before parsing. The JSON text is capped (MAX_JSON_CHARS); JSON.parse is linear.

import { findAddresses, typedAddress } from './message-text.ts'

/** One recipient of a notification. */
export interface SesRecipient {
  recipient: string
  action: string
  status: string
  diagnostic: string
}

export interface SesNotification {
  kind: 'bounce' | 'complaint' | 'delivery'
  recipients: SesRecipient[]
  /** Complaint feedback type (abuse, fraud...), '' when none. */
  feedbackType: string
  /** The Message-ID header of the original, when the notification carries it. */
  messageId: string
}

const MAX_JSON_CHARS = 512 * 1024
const MAX_RECIPIENTS = 1000

type Json = Record<string, unknown>

function asRecord(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined
}

function asString(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v.slice(0, MAX_RECIPIENTS) : []
}

function parseJson(text: string): Json | undefined {
  try {
    return asRecord(JSON.parse(text))
  } catch {
    return undefined
  }
}

/** The notification object in a body, unwrapped from the SNS envelope. */
function notificationObject(body: string): Json | undefined {
  const start = body.indexOf('{')
  const end = body.lastIndexOf('}')
  if (start < 0 || end <= start || end - start > MAX_JSON_CHARS) return undefined
  const text = body.slice(start, end + 1)
  const obj = parseJson(text) ?? parseJson(text.replace(/!?\n ?/g, ''))
  if (obj === undefined) return undefined
  const message = asString(obj['Message'])
  return obj['Type'] === 'Notification' && message !== '' ? parseJson(message) : obj
}

function messageIdOf(mail: Json | undefined): string {
  const common = asRecord(mail?.['commonHeaders'])
  const id = asString(common?.['messageId'])
  if (id !== '') return id
  for (const h of asArray(mail?.['headers'])) {
    const field = asRecord(h)
    if (asString(field?.['name']).toLowerCase() === 'message-id') return asString(field?.['value'])
  }
  return ''
}

function bounceRecipients(bounce: Json | undefined): SesRecipient[] {
  return asArray(bounce?.['bouncedRecipients']).flatMap((r) => {
    const rec = asRecord(r)
    const recipient = findAddresses(asString(rec?.['emailAddress']), 1)[0]?.address
    if (recipient === undefined) return []
    const diagnostic = asString(rec?.['diagnosticCode'])
    return [
      {
        recipient,
        action: asString(rec?.['action']).toLowerCase(),
        status: asString(rec?.['status']),
        diagnostic: diagnostic.includes(';') ? withoutDiagnosticType(diagnostic) : diagnostic,
      },
    ]
  })
}

/** "smtp; 550 ..." (RFC 3464 2.3.6 form) without its type. */
function withoutDiagnosticType(value: string): string {
  return value.slice(value.indexOf(';') + 1).trim()
}

/** Parse an Amazon SES notification body; undefined when the body is not one. */
export function parseSesNotification(body: string): SesNotification | undefined {
  if (!body.includes('notificationType') && !body.includes('eventType')) return undefined
  const obj = notificationObject(body)
  if (obj === undefined) return undefined
  const type = asString(obj['notificationType'] ?? obj['eventType']).toLowerCase()
  const messageId = messageIdOf(asRecord(obj['mail']))
  if (type === 'bounce') {
    const recipients = bounceRecipients(asRecord(obj['bounce']))
    return { kind: 'bounce', recipients, feedbackType: '', messageId }
  }
  if (type === 'complaint') {
    const complaint = asRecord(obj['complaint'])
    const recipients = asArray(complaint?.['complainedRecipients']).flatMap((r) => {
      const recipient = typedAddress(asString(asRecord(r)?.['emailAddress']))
      return recipient === '' ? [] : [{ recipient, action: '', status: '', diagnostic: '' }]
    })
    const feedbackType = asString(complaint?.['complaintFeedbackType']).toLowerCase()
    return { kind: 'complaint', recipients, feedbackType, messageId }
  }
  if (type === 'delivery') {
    const delivery = asRecord(obj['delivery'])
    const diagnostic = asString(delivery?.['smtpResponse'])
    const recipients = asArray(delivery?.['recipients']).flatMap((r) => {
      const recipient = typedAddress(asString(r))
      return recipient === '' ? [] : [{ recipient, action: 'delivered', status: '', diagnostic }]
    })
    return { kind: 'delivery', recipients, feedbackType: '', messageId }
  }
  return undefined
}
