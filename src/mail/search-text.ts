// The text of a message for the full-text index: its header lines (unfolded, encoded words
// decoded) and the decoded text of its text/* parts (quoted-printable and base64 undone,
// charset decoded, HTML tags dropped), found by a naive MIME walk: multipart bodies are cut
// at their boundary lines, message/rfc822 parts are read as messages, other parts are
// skipped. Pure and total: never throws, and bounded (MAX_TEXT characters per part of the
// result, MAX_DEPTH levels of nesting). The store calls only extractSearchText, so a real
// MIME tree (src/mail/mime-tree.ts) can replace the walk later.

import { isUtf8 } from 'node:buffer'

export interface SearchText {
  /** "Name: value" lines of the top-level header, one per line. */
  header: string
  /** Decoded text of the body's text parts, nested messages' headers included. */
  body: string
}

const MAX_TEXT = 1_000_000
const MAX_DEPTH = 10

interface Entity {
  header: string
  body: Buffer
}

interface Field {
  name: string
  value: string
}

export function extractSearchText(raw: Buffer): SearchText {
  try {
    const top = splitEntity(raw)
    const fields = parseFields(top.header)
    const header = fields.map((f) => `${f.name}: ${f.value}`).join('\n')
    const parts: string[] = []
    collectText(fields, top.body, 0, parts, { left: MAX_TEXT })
    return { header: header.slice(0, MAX_TEXT), body: parts.join('\n') }
  } catch {
    return { header: '', body: raw.subarray(0, MAX_TEXT).toString('latin1') }
  }
}

/**
 * A string as the search compares it: lower case, diacritics removed ("Zürich" -> "zurich"),
 * as the trigram index folds it (SQLite's case_sensitive 0 remove_diacritics 1), so a check
 * on the extracted text agrees with the index. RFC 9051 6.4.4: SEARCH strings match
 * case-insensitively.
 */
export function foldForSearch(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/** The header fields of a message as unfolded, decoded name/value pairs. */
export function headerFields(searchHeader: string): Field[] {
  const out: Field[] = []
  for (const line of searchHeader.split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) out.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() })
  }
  return out
}

function splitEntity(buf: Buffer): Entity {
  if (buf[0] === 0x0d || buf[0] === 0x0a) {
    return { header: '', body: buf.subarray(buf[0] === 0x0d ? 2 : 1) }
  }
  const crlf = buf.indexOf('\r\n\r\n')
  const lf = buf.indexOf('\n\n')
  let cut = -1
  let skip = 0
  if (crlf !== -1 && (lf === -1 || crlf < lf)) [cut, skip] = [crlf, 4]
  else if (lf !== -1) [cut, skip] = [lf, 2]
  if (cut === -1) return { header: bytesToText(buf), body: Buffer.alloc(0) }
  return { header: bytesToText(buf.subarray(0, cut)), body: buf.subarray(cut + skip) }
}

function parseFields(header: string): Field[] {
  const unfolded = header.replace(/\r?\n(?=[ \t])/g, '')
  const out: Field[] = []
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim()
    const value = decodeEncodedWords(line.slice(colon + 1).trim()).replace(/\s+/g, ' ')
    out.push({ name, value })
  }
  return out
}

function fieldValue(fields: Field[], name: string): string {
  return fields.find((f) => f.name.toLowerCase() === name)?.value ?? ''
}

/** Content-Type's type/subtype (lower case) and its parameters (names lower case). */
function contentType(fields: Field[]): { type: string; params: Map<string, string> } {
  const value = fieldValue(fields, 'content-type')
  const [type = '', ...rest] = value.split(';')
  const params = new Map<string, string>()
  for (const p of rest) {
    const eq = p.indexOf('=')
    if (eq === -1) continue
    const v = p.slice(eq + 1).trim()
    params.set(p.slice(0, eq).trim().toLowerCase(), v.replace(/^"(.*)"$/s, '$1'))
  }
  return { type: type.trim().toLowerCase() || 'text/plain', params }
}

function collectText(
  fields: Field[],
  body: Buffer,
  depth: number,
  out: string[],
  budget: { left: number },
): void {
  if (depth > MAX_DEPTH || budget.left <= 0) return
  const { type, params } = contentType(fields)
  if (type.startsWith('multipart/')) {
    const boundary = params.get('boundary')
    if (boundary === undefined || boundary === '') return
    for (const part of splitMultipart(body, boundary)) {
      const entity = splitEntity(part)
      collectText(parseFields(entity.header), entity.body, depth + 1, out, budget)
    }
    return
  }
  if (type === 'message/rfc822' || type === 'message/global') {
    const entity = splitEntity(body)
    const inner = parseFields(entity.header)
    push(out, budget, inner.map((f) => `${f.name}: ${f.value}`).join('\n'))
    collectText(inner, entity.body, depth + 1, out, budget)
    return
  }
  if (!type.startsWith('text/')) return
  const decoded = decodeTransfer(body, fieldValue(fields, 'content-transfer-encoding'))
  const text = decodeCharset(decoded, params.get('charset') ?? '')
  push(out, budget, type === 'text/html' ? htmlToText(text) : text)
}

function push(out: string[], budget: { left: number }, text: string): void {
  const piece = text.slice(0, budget.left)
  budget.left -= piece.length
  out.push(piece)
}

/** The parts between "--boundary" lines, up to the closing "--boundary--". */
function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1')
  const delimiter = `--${boundary}`
  const parts: Buffer[] = []
  let start = -1
  let at = 0
  for (;;) {
    const i = text.indexOf(delimiter, at)
    if (i === -1) break
    const lineStart = i === 0 || text[i - 1] === '\n'
    at = i + delimiter.length
    if (!lineStart) continue
    const eol = text.indexOf('\n', at)
    if (start !== -1)
      parts.push(body.subarray(start, i > 0 && text[i - 2] === '\r' ? i - 2 : i - 1))
    if (text.startsWith('--', at)) return parts
    if (eol === -1) break
    start = eol + 1
    at = start
  }
  if (start !== -1) parts.push(body.subarray(start))
  return parts
}

function decodeTransfer(body: Buffer, encoding: string): Buffer {
  const e = encoding.trim().toLowerCase()
  if (e === 'base64')
    return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64')
  if (e === 'quoted-printable') return decodeQuotedPrintable(body.toString('latin1'), false)
  return body
}

function decodeQuotedPrintable(text: string, underscoreIsSpace: boolean): Buffer {
  const src = underscoreIsSpace ? text.replaceAll('_', ' ') : text.replace(/=\r?\n/g, '')
  const bytes: number[] = []
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i)
    const hex = c === 0x3d ? src.slice(i + 1, i + 3) : ''
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      i += 2
    } else {
      bytes.push(c & 0xff)
    }
  }
  return Buffer.from(bytes)
}

function decodeCharset(bytes: Buffer, charset: string): string {
  const label = charset.trim().toLowerCase()
  if (label !== '' && label !== 'utf-8' && label !== 'us-ascii') {
    try {
      return new TextDecoder(label).decode(bytes)
    } catch {
      // Unknown charset: fall through to the guess below.
    }
  }
  return bytesToText(bytes)
}

/** UTF-8 when the bytes are valid UTF-8 (RFC 6532), else Latin-1. */
function bytesToText(bytes: Buffer): string {
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1')
}

/** RFC 2047 encoded words; whitespace between adjacent ones is dropped (RFC 2047 6.2). */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(
      /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g,
      (_m, cs: string, enc: string, text: string) => {
        const bytes =
          enc.toLowerCase() === 'b'
            ? Buffer.from(text, 'base64')
            : decodeQuotedPrintable(text, true)
        return decodeCharset(bytes, cs.replace(/\*.*$/, ''))
      },
    )
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[^]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e.startsWith('#')) {
        const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
        return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : ' '
      }
      return ENTITIES[e.toLowerCase()] ?? m
    })
}
