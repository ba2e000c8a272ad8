// The MIME structure of an RFC 5322 message (RFC 5322 2.1, 3.6) as a tree of entities with
// byte offsets: multipart bodies split on their boundaries (RFC 2046 5.1.1), message/rfc822
// and message/global (RFC 2046 5.2.1, RFC 6532 3.7) parsed as nested messages, header fields
// of RFC 2045 (Content-Type 5, Content-Transfer-Encoding 6, Content-ID 7, Content-Description
// 8), RFC 2183 (Content-Disposition), RFC 3282 (Content-Language), RFC 2557 (Content-Location)
// and RFC 1864 (Content-MD5). This is what IMAP's ENVELOPE, BODYSTRUCTURE and BODY[section]
// are computed from (RFC 9051 6.4.5, 7.5.2).
//
// Robust by construction: never throws, always terminates, works on CRLF or bare-LF input,
// caps nesting depth and the number of parts; offsets always satisfy
// headerStart <= headerEnd = bodyStart <= bodyEnd, nested within the parent's body.

import { parseHeaderBlock, type HeaderField } from './header-fields.ts'
import {
  paramValue,
  parseContentType,
  parseDisposition,
  type ContentType,
  type Disposition,
} from './mime-params.ts'

export interface MimePart {
  /** Offset of the entity's first header byte. */
  headerStart: number
  /** Offset just past the header block including its blank line (= bodyStart). */
  headerEnd: number
  bodyStart: number
  /** Offset just past the body (multipart children stop before the CRLF of the delimiter). */
  bodyEnd: number
  fields: HeaderField[]
  /**
   * The effective content type, lower case. Defaults per RFC 2045 5.2 (text/plain;
   * charset=us-ascii) or RFC 2046 5.1.5 (message/rfc822 inside multipart/digest). A
   * multipart without a boundary is treated as text/plain.
   */
  contentType: ContentType
  /** Whether contentType came from a parsable Content-Type field. */
  hasContentType: boolean
  /** RFC 2045 6.1: lower-cased Content-Transfer-Encoding, "7bit" when absent. */
  transferEncoding: string
  /** Unfolded values of Content-ID, Content-Description, Content-MD5, Content-Location. */
  contentId: string | null
  description: string | null
  md5: string | null
  location: string | null
  disposition: Disposition | null
  /** RFC 3282 language tags, or null when the field is absent. */
  language: string[] | null
  /** Child entities of a multipart (empty for leaves). */
  children: MimePart[]
  /** The encapsulated message of a message/rfc822 or message/global entity. */
  message: MimePart | null
  /** Number of lines in the body (line breaks, plus one for an unterminated last line). */
  lines: number
  /** Nesting level: 0 for the top-level message. */
  depth: number
  /** True when the depth limit stopped this multipart/message entity from being parsed. */
  isDepthLimited: boolean
}

export interface MimeTree {
  root: MimePart
  /** Size of the raw message in bytes. */
  size: number
  /** Number of entities in the tree (root included). */
  partCount: number
  /** True when a depth or part-count limit cut the tree short. */
  isTruncated: boolean
}

export interface MimeLimits {
  /** Maximum nesting depth of multipart and message entities. */
  maxDepth: number
  /** Maximum number of entities in a tree. */
  maxParts: number
}

export const DEFAULT_MIME_LIMITS: MimeLimits = { maxDepth: 100, maxParts: 10_000 }

const LF = 0x0a
const CR = 0x0d

interface Ctx {
  raw: Buffer
  limits: MimeLimits
  partCount: number
  isTruncated: boolean
}

const TEXT_PLAIN: ContentType = {
  type: 'text',
  subtype: 'plain',
  params: [{ name: 'charset', value: 'us-ascii', charset: null, language: null, extended: null }],
}
const MESSAGE_RFC822: ContentType = { type: 'message', subtype: 'rfc822', params: [] }

/** The unfolded value of the first field with this name, or undefined. */
export function headerValue(part: MimePart, name: string): string | undefined {
  const key = name.toLowerCase()
  return part.fields.find((f) => f.key === key)?.value
}

function valueOrNull(fields: HeaderField[], key: string): string | null {
  return fields.find((f) => f.key === key)?.value ?? null
}

/** Whether the entity is a message/rfc822 or message/global (RFC 6532 3.7) container. */
export function isMessageType(ct: ContentType): boolean {
  return ct.type === 'message' && (ct.subtype === 'rfc822' || ct.subtype === 'global')
}

function countLines(raw: Buffer, start: number, end: number): number {
  let lines = 0
  let i = raw.indexOf(LF, start)
  while (i >= 0 && i < end) {
    lines++
    i = raw.indexOf(LF, i + 1)
  }
  return end > start && raw[end - 1] !== LF ? lines + 1 : lines
}

/** A body part's bytes; `limit` is where its closing delimiter line starts. */
export interface PartRange {
  start: number
  end: number
  limit?: number
}

/** RFC 2046 5.1.1: the byte ranges of the body parts between boundary delimiter lines. */
export function splitMultipart(
  raw: Buffer,
  range: { start: number; end: number },
  boundary: string,
): PartRange[] {
  const delim = Buffer.from('--' + boundary, 'utf8')
  const out: PartRange[] = []
  const { start, end } = range
  let partStart = -1
  let pos = start
  while (pos < end) {
    const idx = raw.indexOf(delim, pos)
    if (idx < 0 || idx + delim.length > end) break
    if (idx !== start && raw[idx - 1] !== LF) {
      pos = idx + 1 // RFC 2046 5.1.1: delimiters start a line
      continue
    }
    const after = idx + delim.length
    let lineEnd = raw.indexOf(LF, after)
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end
    const rest = raw.toString('latin1', after, Math.min(lineEnd, after + 200))
    const isClose = rest.startsWith('--')
    if (!isClose && !/^[ \t\r]*$/.test(rest)) {
      pos = after // a longer boundary that merely starts with ours
      continue
    }
    if (partStart >= 0) {
      // RFC 2046 5.1.1: the CRLF before the delimiter belongs to the delimiter.
      let prevEnd = idx
      if (prevEnd > start && raw[prevEnd - 1] === LF) prevEnd--
      if (prevEnd > start && raw[prevEnd - 1] === CR) prevEnd--
      out.push({ start: partStart, end: Math.max(partStart, prevEnd), limit: idx })
    }
    if (isClose) return out
    partStart = Math.min(lineEnd + 1, end)
    pos = partStart
  }
  if (partStart >= 0) out.push({ start: partStart, end }) // unterminated multipart
  return out
}

function effectiveType(
  fields: HeaderField[],
  defaultType: ContentType,
): { ct: ContentType; has: boolean } {
  const field = fields.find((f) => f.key === 'content-type')
  const ct = field === undefined ? undefined : parseContentType(field.value)
  if (ct === undefined) return { ct: defaultType, has: false }
  if (ct.type === 'multipart' && (paramValue(ct.params, 'boundary') ?? '') === '') {
    return { ct: { ...TEXT_PLAIN, params: ct.params }, has: true }
  }
  return { ct, has: true }
}

function parseEntity(
  ctx: Ctx,
  range: PartRange,
  depth: number,
  defaultType: ContentType,
): MimePart {
  const { raw } = ctx
  const header = parseHeaderBlock(raw, range.start, range.end)
  const { fields } = header
  let { bodyStart } = header
  let bodyEnd = range.end
  if (!header.hasBlankLine && bodyStart === range.end && (range.limit ?? 0) > range.end) {
    // "header CRLF CRLF --boundary": the second CRLF is both the header's blank line and the
    // delimiter's (RFC 2046 5.1.1); report an empty body after the blank line.
    bodyStart = bodyEnd = range.limit ?? range.end
  }
  const { ct, has } = effectiveType(fields, defaultType)
  const cte = valueOrNull(fields, 'content-transfer-encoding')
  const disp = valueOrNull(fields, 'content-disposition')
  const lang = valueOrNull(fields, 'content-language')
  ctx.partCount++
  const part: MimePart = {
    headerStart: range.start,
    headerEnd: bodyStart,
    bodyStart,
    bodyEnd,
    fields,
    contentType: ct,
    hasContentType: has,
    transferEncoding:
      cte === null
        ? '7bit'
        : cte
            .replace(/\(.*?\)/g, '')
            .trim()
            .toLowerCase(),
    contentId: valueOrNull(fields, 'content-id'),
    description: valueOrNull(fields, 'content-description'),
    md5: valueOrNull(fields, 'content-md5'),
    location: valueOrNull(fields, 'content-location'),
    disposition: disp === null ? null : (parseDisposition(disp) ?? null),
    language: lang === null ? null : lang.split(/[\s,]+/).filter((t) => t !== ''),
    children: [],
    message: null,
    lines: 0,
    depth,
    isDepthLimited: false,
  }
  if (ct.type === 'text' || isMessageType(ct)) part.lines = countLines(raw, bodyStart, bodyEnd)
  const nests = ct.type === 'multipart' || isMessageType(ct)
  if (nests && depth >= ctx.limits.maxDepth) {
    part.isDepthLimited = true
    ctx.isTruncated = true
  } else if (ct.type === 'multipart') addChildren(ctx, part, depth)
  else if (isMessageType(ct)) {
    part.message = parseEntity(ctx, { start: bodyStart, end: bodyEnd }, depth + 1, TEXT_PLAIN)
  }
  return part
}

function addChildren(ctx: Ctx, part: MimePart, depth: number): void {
  const boundary = paramValue(part.contentType.params, 'boundary') ?? ''
  const ranges = splitMultipart(ctx.raw, { start: part.bodyStart, end: part.bodyEnd }, boundary)
  // RFC 2046 5.1.5: in multipart/digest the default type is message/rfc822.
  const childDefault = part.contentType.subtype === 'digest' ? MESSAGE_RFC822 : TEXT_PLAIN
  for (const r of ranges) {
    if (ctx.partCount >= ctx.limits.maxParts) {
      ctx.isTruncated = true
      return
    }
    part.children.push(parseEntity(ctx, r, depth + 1, childDefault))
  }
}

/** Parse a raw message into its MIME tree. Never throws. */
export function parseMimeTree(raw: Buffer, limits: Partial<MimeLimits> = {}): MimeTree {
  const ctx: Ctx = {
    raw,
    limits: { ...DEFAULT_MIME_LIMITS, ...limits },
    partCount: 0,
    isTruncated: false,
  }
  const root = parseEntity(ctx, { start: 0, end: raw.length }, 0, TEXT_PLAIN)
  return { root, size: raw.length, partCount: ctx.partCount, isTruncated: ctx.isTruncated }
}

/** Visit every entity depth-first (pre-order), children and encapsulated messages included. */
export function walkParts(root: MimePart, visit: (part: MimePart) => void): void {
  const stack: MimePart[] = [root]
  for (let part = stack.pop(); part !== undefined; part = stack.pop()) {
    visit(part)
    if (part.message !== null) stack.push(part.message)
    for (let i = part.children.length - 1; i >= 0; i--) {
      const child = part.children[i]
      if (child !== undefined) stack.push(child)
    }
  }
}
