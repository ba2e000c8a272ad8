// The pieces of a returned message the bounce parsers read: line endings normalised to LF
// (bounces arrive with LF, CRLF or CR-only line ends: RFC 5322 2.1 says CRLF, stored mailboxes
// say otherwise), the decoded text of a MIME entity (RFC 2045 6 transfer encodings, the charset
// parameter of RFC 2046 4.1.2), header blocks of returned messages (RFC 3464 2.1 text/rfc822-
// headers, RFC 2046 5.2.1 message/rfc822) and address extraction that is linear in its input.
// Everything is capped: at most MAX_BYTES of a message and MAX_PART_CHARS of a part's text.

import { decodeCharset, decodeEncodedWords } from '../mail/encoded-words.ts'
import { parseHeaderBlock, type HeaderField } from '../mail/header-fields.ts'
import { paramValue } from '../mail/mime-params.ts'
import type { MimePart } from '../mail/mime-tree.ts'
import { decodeTransfer } from '../mail/transfer-decoding.ts'

/** Largest part of a message looked at; the rest (usually the returned message) is dropped. */
export const MAX_BYTES = 4 * 1024 * 1024
/** Longest decoded text kept per MIME part. */
export const MAX_PART_CHARS = 256 * 1024

const LF = 0x0a
const CR = 0x0d

/**
 * The first MAX_BYTES of a message with every CRLF and lone CR turned into LF, without a
 * leading mbox "From " line.
 */
export function normalizeLineEndings(raw: Buffer): Buffer {
  let input = raw.length > MAX_BYTES ? raw.subarray(0, MAX_BYTES) : raw
  // An mbox "From " separator line before the header (stored mailboxes) is not a field.
  if (input.subarray(0, 5).toString('latin1') === 'From ') {
    let eol = input.indexOf(LF)
    const cr = input.indexOf(CR)
    if (cr >= 0 && (eol < 0 || cr < eol)) eol = cr
    if (eol >= 0 && input[eol] === CR && input[eol + 1] === LF) eol++
    input = eol < 0 ? input.subarray(input.length) : input.subarray(eol + 1)
  }
  if (!input.includes(CR)) return input
  const out = Buffer.allocUnsafe(input.length)
  let n = 0
  for (let i = 0; i < input.length; i++) {
    const b = input[i] ?? 0
    if (b === CR) {
      out[n++] = LF
      if (input[i + 1] === LF) i++
    } else out[n++] = b
  }
  return out.subarray(0, n)
}

/** The body of an entity as text: transfer encoding undone, charset decoded, capped. */
export function partText(raw: Buffer, part: MimePart): string {
  const body = raw.subarray(part.bodyStart, Math.min(part.bodyEnd, part.bodyStart + MAX_BYTES))
  const decoded = decodeTransfer(body, part.transferEncoding) ?? body
  const charset = paramValue(part.contentType.params, 'charset') ?? 'utf-8'
  const text = decodeCharset(decoded, charset)
  return text.length > MAX_PART_CHARS ? text.slice(0, MAX_PART_CHARS) : text
}

/** Header fields of a text/rfc822-headers body (or any text holding a header block). */
export function headerFieldsOf(text: string): HeaderField[] {
  const buf = Buffer.from(text.slice(0, MAX_PART_CHARS), 'utf8')
  // Skip leading blank lines: some MTAs put one before the returned header.
  let start = 0
  while (start < buf.length && buf[start] === LF) start++
  return parseHeaderBlock(buf, start, buf.length).fields
}

/** The first value of a field, RFC 2047 encoded words decoded. */
export function fieldValue(fields: readonly HeaderField[], name: string): string | undefined {
  const key = name.toLowerCase()
  const value = fields.find((f) => f.key === key)?.value
  return value === undefined ? undefined : decodeEncodedWords(value)
}

const LOCAL_CHARS = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/
const DOMAIN_CHARS = /[A-Za-z0-9.-]/
const MAX_LOCAL = 64
const MAX_DOMAIN = 255

/** An address found in text, with its position. */
export interface FoundAddress {
  address: string
  start: number
  end: number
}

/**
 * Every local@domain in a text, lower-cased; linear: each "@" is expanded at most
 * MAX_LOCAL characters left and MAX_DOMAIN right. Domains need a dot (or are bracketed).
 */
export function findAddresses(text: string, max = 200): FoundAddress[] {
  const out: FoundAddress[] = []
  let at = text.indexOf('@')
  while (at >= 0 && out.length < max) {
    let s = at
    while (s > 0 && at - s < MAX_LOCAL && LOCAL_CHARS.test(text.charAt(s - 1))) s--
    let e = at + 1
    while (e < text.length && e - at < MAX_DOMAIN && DOMAIN_CHARS.test(text.charAt(e))) e++
    while (s < at && text.charAt(s) === '.') s++
    while (e > at + 1 && (text.charAt(e - 1) === '.' || text.charAt(e - 1) === '-')) e--
    const local = text.slice(s, at)
    const domain = text.slice(at + 1, e)
    if (local !== '' && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(domain) && domain.length > 3) {
      out.push({ address: `${local}@${domain}`.toLowerCase(), start: s, end: e })
    }
    at = text.indexOf('@', Math.max(e, at + 1))
  }
  return out
}

/** The address in an RFC 3464 2.3.2 "address-type; address" value (or a bare address). */
export function typedAddress(value: string | undefined): string {
  if (value === undefined) return ''
  const semi = value.indexOf(';')
  const addr = (semi >= 0 ? value.slice(semi + 1) : value).trim()
  const found = findAddresses(addr, 1)[0]
  if (found !== undefined) return found.address
  return addr.replace(/^<|>$/g, '').toLowerCase()
}

/** Collapse whitespace runs (line breaks included) into single spaces. */
export function oneLine(text: string, max = 1000): string {
  return text
    .slice(0, max * 4)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max)
}
