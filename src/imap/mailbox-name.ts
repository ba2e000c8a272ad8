// IMAP mailbox names: modified UTF-7 (RFC 3501 5.1.3, kept by RFC 9051 5.1.3 for IMAP4rev1
// clients) and UTF-8 once the client enabled UTF8=ACCEPT (RFC 6855 3) or IMAP4rev2
// (RFC 9051 5.1). INBOX is case-insensitive (RFC 9051 5.1): any case of it becomes "INBOX".

import { ProtocolBad } from './errors.ts'

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,'

/** Encodes a Unicode name as modified UTF-7 (RFC 3501 5.1.3). */
export function encodeModifiedUtf7(name: string): string {
  let out = ''
  let pending: number[] = [] // UTF-16 code units waiting to be base64-encoded
  const flush = (): void => {
    if (pending.length === 0) return
    const bytes = Buffer.alloc(pending.length * 2)
    pending.forEach((u, i) => bytes.writeUInt16BE(u, i * 2))
    // RFC 3501 5.1.3: modified BASE64 uses "," for "/" and omits "=" padding.
    out += '&' + bytes.toString('base64').replace(/=+$/, '').replaceAll('/', ',') + '-'
    pending = []
  }
  for (let i = 0; i < name.length; i++) {
    const u = name.charCodeAt(i)
    if (u >= 0x20 && u <= 0x7e) {
      flush()
      out += u === 0x26 ? '&-' : name.charAt(i) // RFC 3501 5.1.3: "&" is "&-"
    } else {
      pending.push(u)
    }
  }
  flush()
  return out
}

/** Decodes modified UTF-7 (RFC 3501 5.1.3); throws ProtocolBad on a malformed name. */
export function decodeModifiedUtf7(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) throw new ProtocolBad('mailbox name is not 7-bit')
    if (c !== 0x26) {
      out += text.charAt(i++)
      continue
    }
    const end = text.indexOf('-', i + 1)
    if (end === -1) throw new ProtocolBad('unterminated "&" in mailbox name')
    const b64 = text.slice(i + 1, end)
    i = end + 1
    if (b64 === '') {
      out += '&'
      continue
    }
    out += decodeShifted(b64)
  }
  return out
}

function decodeShifted(b64: string): string {
  for (const ch of b64) {
    if (!B64.includes(ch)) throw new ProtocolBad('bad modified BASE64 in mailbox name')
  }
  const bytes = Buffer.from(b64.replaceAll(',', '/'), 'base64')
  // RFC 3501 5.1.3: the shifted run is UTF-16BE; leftover bits must be zero.
  if (bytes.length % 2 !== 0 || b64.length % 4 === 1) {
    throw new ProtocolBad('bad modified BASE64 length in mailbox name')
  }
  let s = ''
  for (let j = 0; j < bytes.length; j += 2) s += String.fromCharCode(bytes.readUInt16BE(j))
  // A lone surrogate cannot be a Unicode name.
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)) {
    throw new ProtocolBad('bad UTF-16 in mailbox name')
  }
  // RFC 3501 5.1.3: printable US-ASCII must not be encoded (so the form is canonical).
  if (/[\x20-\x7e]/.test(s)) throw new ProtocolBad('needlessly encoded mailbox name')
  return s
}

/**
 * The mailbox name a client sent, as Unicode: decoded from modified UTF-7 unless UTF-8 is
 * enabled, with INBOX normalised. Control characters are refused (RFC 9051 5.1: names
 * SHOULD NOT contain them; they would break responses). Whether the name is allowed
 * (hierarchy, "..", other users) is the server's decision, not the parser's.
 */
export function decodeMailboxName(wire: string, isUtf8Enabled: boolean): string {
  const name = isUtf8Enabled ? wire : decodeModifiedUtf7(wire)
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) throw new ProtocolBad('control character in mailbox name')
  return normaliseInbox(name)
}

/** The name as sent to a client: modified UTF-7 unless UTF-8 is enabled. */
export function encodeMailboxName(name: string, isUtf8Enabled: boolean): string {
  return isUtf8Enabled ? name : encodeModifiedUtf7(name)
}

/** RFC 9051 5.1: "INBOX" is case-insensitive; every spelling of it becomes "INBOX". */
export function normaliseInbox(name: string): string {
  return /^inbox$/i.test(name) ? 'INBOX' : name
}
