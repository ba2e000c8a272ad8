// IMAP's ENVELOPE (RFC 9051 7.5.2, RFC 3501 7.4.2) computed from a message's header fields.
// Strings are the header values as written, unfolded (RFC 5322 2.2.3), not RFC 2047-decoded:
// the client decodes, as Dovecot and the RFC intend. Addresses come from the RFC 5322
// address-list parser; groups become start/end marker addresses.

import { parseAddressList, type Mailbox } from './address-list.ts'
import type { MimePart, MimeTree } from './mime-tree.ts'

/** RFC 9051 7.5.2 address structure; group markers have host null (see envelope()). */
export interface EnvelopeAddress {
  /** Display name as written (encoded words kept), or null. */
  name: string | null
  /** Source route ("at-domain-list"), or null. */
  adl: string | null
  /** Local part; the group name in a group-start marker; null in a group-end marker. */
  mailbox: string | null
  /** Domain; null only in group markers. */
  host: string | null
}

/** RFC 9051 7.5.2: every member is NIL (null) when the header is absent or empty. */
export interface Envelope {
  date: string | null
  subject: string | null
  from: EnvelopeAddress[] | null
  sender: EnvelopeAddress[] | null
  replyTo: EnvelopeAddress[] | null
  to: EnvelopeAddress[] | null
  cc: EnvelopeAddress[] | null
  bcc: EnvelopeAddress[] | null
  inReplyTo: string | null
  messageId: string | null
}

// Dovecot's MESSAGE_ADDRESS_PARSE_FLAG_FILL_MISSING: a host of NIL would mean "group marker"
// to the client (RFC 9051 7.5.2), so a missing part is filled in instead.
export const MISSING_MAILBOX = 'MISSING_MAILBOX'
export const MISSING_DOMAIN = 'MISSING_DOMAIN'

function firstValue(entity: MimePart, key: string): string | null {
  const field = entity.fields.find((f) => f.key === key)
  if (field === undefined) return null
  return field.value === '' ? null : field.value
}

function toAddress(m: Mailbox): EnvelopeAddress {
  return {
    name: m.name,
    adl: m.route,
    mailbox: m.localPart ?? MISSING_MAILBOX,
    host: m.domain ?? MISSING_DOMAIN,
  }
}

/** An address header as RFC 9051 7.5.2 address structures, or null when absent/empty. */
export function envelopeAddresses(value: string | null): EnvelopeAddress[] | null {
  if (value === null) return null
  const out: EnvelopeAddress[] = []
  for (const entry of parseAddressList(value)) {
    if (entry.kind === 'mailbox') out.push(toAddress(entry.mailbox))
    else {
      // RFC 9051 7.5.2: group start (mailbox = group name, host NIL) ... group end (all NIL).
      out.push({ name: null, adl: null, mailbox: entry.name, host: null })
      for (const m of entry.members) out.push(toAddress(m))
      out.push({ name: null, adl: null, mailbox: null, host: null })
    }
  }
  return out.length === 0 ? null : out
}

/** The ENVELOPE of a message: the tree's root, or the `message` of a message/rfc822 part. */
export function envelope(source: MimeTree | MimePart): Envelope {
  const entity = 'root' in source ? source.root : source
  const from = envelopeAddresses(firstValue(entity, 'from'))
  const sender = envelopeAddresses(firstValue(entity, 'sender'))
  const replyTo = envelopeAddresses(firstValue(entity, 'reply-to'))
  return {
    date: firstValue(entity, 'date'),
    subject: firstValue(entity, 'subject'),
    from,
    // RFC 9051 7.5.2: Sender and Reply-To absent or empty default to From.
    sender: sender ?? from,
    replyTo: replyTo ?? from,
    to: envelopeAddresses(firstValue(entity, 'to')),
    cc: envelopeAddresses(firstValue(entity, 'cc')),
    bcc: envelopeAddresses(firstValue(entity, 'bcc')),
    inReplyTo: firstValue(entity, 'in-reply-to'),
    messageId: firstValue(entity, 'message-id'),
  }
}
