// RFC 5322 header fields with byte offsets: field = name ":" value CRLF (RFC 5322 2.2), folded
// over continuation lines that start with WSP (2.2.3); obsolete WSP before the colon (4.5.8);
// UTF-8 values (RFC 6532 3.2). Bare LF line ends are tolerated. Never throws.

import { decodeHeaderBytes } from './encoded-words.ts'

export interface HeaderField {
  /** Field name as written (RFC 5322 2.2). */
  name: string
  /** Lower-cased name, for lookups. */
  key: string
  /** Offset of the field's first byte (the name). */
  start: number
  /** Offset just past the field's last line break (or the end of the header block). */
  end: number
  /** Value as written: after the colon, folding kept, final line break removed. */
  raw: string
  /** RFC 5322 2.2.3 unfolded value (line breaks removed), surrounding WSP trimmed. */
  value: string
}

export interface HeaderBlock {
  fields: HeaderField[]
  /** Offset just past the blank line that ends the header; `end` when there is none. */
  bodyStart: number
  /** Whether a blank line ended the header (RFC 5322 2.1). */
  hasBlankLine: boolean
}

const LF = 0x0a
const CR = 0x0d

/** Maximum number of fields kept per header block; later fields are scanned but not stored. */
export const MAX_HEADER_FIELDS = 5000

function isFieldNameByte(b: number): boolean {
  return b >= 33 && b <= 126 && b !== 58 // RFC 5322 2.2: printable US-ASCII except ":"
}

/** Find the end of the line starting at pos: [contentEnd, nextLineStart]. */
function lineAt(raw: Buffer, pos: number, end: number): [number, number] {
  const lf = raw.indexOf(LF, pos)
  if (lf < 0 || lf >= end) return [end, end]
  return [lf > pos && raw[lf - 1] === CR ? lf - 1 : lf, lf + 1]
}

/** Length of the field name in the line, or -1 when the line is not a field (no name, no ":"). */
function nameLength(raw: Buffer, pos: number, lineEnd: number): number {
  let i = pos
  while (i < lineEnd && isFieldNameByte(raw[i] ?? 0)) i++
  if (i === pos) return -1
  let j = i
  while (j < lineEnd && (raw[j] === 0x20 || raw[j] === 0x09)) j++ // RFC 5322 4.5.8
  return raw[j] === 58 && j < lineEnd ? i - pos : -1
}

function makeField(raw: Buffer, start: number, nameLen: number, valueEnd: number): HeaderField {
  const name = raw.toString('latin1', start, start + nameLen)
  const colon = raw.indexOf(58, start + nameLen)
  const rawValue = decodeHeaderBytes(raw.subarray(colon + 1, valueEnd))
  return {
    name,
    key: name.toLowerCase(),
    start,
    end: valueEnd,
    raw: rawValue,
    value: rawValue.replace(/\r?\n/g, '').replace(/^[ \t]+|[ \t]+$/g, ''),
  }
}

/**
 * Parse the header block of the entity at raw[start, end). A first line that is not a field
 * means the entity has no header (the body starts at `start`); later malformed lines are kept
 * inside the header block but produce no field.
 */
export function parseHeaderBlock(raw: Buffer, start: number, end: number): HeaderBlock {
  const fields: HeaderField[] = []
  let pos = start
  let current: { start: number; nameLen: number; valueEnd: number; next: number } | null = null
  const close = (): void => {
    if (current !== null && fields.length < MAX_HEADER_FIELDS) {
      const f = makeField(raw, current.start, current.nameLen, current.valueEnd)
      fields.push({ ...f, end: current.next })
    }
    current = null
  }
  while (pos < end) {
    const [lineEnd, next] = lineAt(raw, pos, end)
    if (lineEnd === pos) {
      close()
      return { fields, bodyStart: next, hasBlankLine: true }
    }
    const first = raw[pos]
    if (first === 0x20 || first === 0x09) {
      if (current !== null) {
        current.valueEnd = lineEnd
        current.next = next
      }
    } else {
      const len = nameLength(raw, pos, lineEnd)
      if (len < 0 && pos === start) return { fields, bodyStart: start, hasBlankLine: false }
      close()
      if (len >= 0) current = { start: pos, nameLen: len, valueEnd: lineEnd, next }
    }
    pos = next
  }
  close()
  return { fields, bodyStart: end, hasBlankLine: false }
}
