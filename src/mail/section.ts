// IMAP body sections (RFC 9051 6.4.5, RFC 3501 6.4.5): BODY[section]<partial> as byte ranges
// of the stored message, and BINARY[section]<partial> / BINARY.SIZE (RFC 9051 6.4.5, from
// RFC 3516) as decoded content. Pure: the server streams the ranges from its blob.
//
// Part numbering (RFC 9051 6.4.5): parts of a multipart are numbered from 1; a non-multipart
// message (or encapsulated message) has one part, 1, its body; a number after a
// message/rfc822 or message/global part addresses the encapsulated message's parts.

import type { MimePart, MimeTree } from './mime-tree.ts'
import { decodeTransfer } from './transfer-decoding.ts'

export type SectionText =
  | { kind: 'header' }
  | { kind: 'header-fields'; fields: string[]; isNot: boolean }
  | { kind: 'text' }
  | { kind: 'mime' }

export interface PartialRange {
  offset: number
  /** Maximum number of octets; Infinity for "to the end". */
  length: number
}

export interface SectionSpec {
  /** Part numbers, e.g. [1, 2, 3] for "1.2.3"; [] for the whole message. */
  path: number[]
  text: SectionText | null
  partial: PartialRange | null
}

export type SectionPiece =
  { kind: 'range'; start: number; end: number } | { kind: 'bytes'; bytes: Buffer }

export type SectionResult =
  | {
      kind: 'ok'
      /** Pieces to send in order: ranges of the raw message and synthesised bytes. */
      pieces: SectionPiece[]
      /** Octets sent (after the partial range). */
      size: number
      /** Octets of the whole section, before the partial range. */
      fullSize: number
    }
  | { kind: 'no-such-part' }
  | { kind: 'invalid'; reason: string }

export type BinaryResult =
  | { kind: 'ok'; bytes: Buffer }
  | { kind: 'no-such-part' }
  /** RFC 9051 7.1: the server answers NO [UNKNOWN-CTE]. */
  | { kind: 'unknown-cte'; encoding: string }

const CRLF = Buffer.from('\r\n')

/** Resolve a part path (RFC 9051 6.4.5); undefined when a number does not exist. */
export function resolvePart(tree: MimeTree, path: readonly number[]): MimePart | undefined {
  let part: MimePart = tree.root
  for (let i = 0; i < path.length; i++) {
    const n = path[i] ?? 0
    if (i > 0 && part.message !== null) part = part.message
    if (part.contentType.type === 'multipart' && !part.isDepthLimited) {
      const child = part.children[n - 1]
      if (child === undefined) return undefined
      part = child
    } else if (n !== 1) return undefined
  }
  return part
}

/** The entity whose header/text HEADER and TEXT address: the encapsulated message if any. */
function messageOf(part: MimePart, isRoot: boolean): MimePart {
  return !isRoot && part.message !== null ? part.message : part
}

function headerFields(entity: MimePart, names: string[], isNot: boolean): SectionPiece[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()))
  const pieces: SectionPiece[] = []
  for (const f of entity.fields) {
    if (wanted.has(f.key) === isNot) continue
    const last = pieces.at(-1)
    if (last?.kind === 'range' && last.end === f.start) last.end = f.end
    else pieces.push({ kind: 'range', start: f.start, end: f.end })
  }
  pieces.push({ kind: 'bytes', bytes: CRLF }) // RFC 9051 6.4.5: the blank line is included
  return pieces
}

function pieceSize(p: SectionPiece): number {
  return p.kind === 'range' ? p.end - p.start : p.bytes.length
}

/** Clip pieces to a partial range (RFC 9051 6.4.5 "<offset.length>"). */
function clip(pieces: SectionPiece[], partial: PartialRange | null): SectionPiece[] {
  if (partial === null) return pieces
  let skip = Math.max(0, partial.offset)
  let left = Math.max(0, partial.length)
  const out: SectionPiece[] = []
  for (const p of pieces) {
    const size = pieceSize(p)
    if (skip >= size) {
      skip -= size
      continue
    }
    const take = Math.min(size - skip, left)
    if (take <= 0) break
    if (p.kind === 'range') {
      out.push({ kind: 'range', start: p.start + skip, end: p.start + skip + take })
    } else out.push({ kind: 'bytes', bytes: p.bytes.subarray(skip, skip + take) })
    left -= take
    skip = 0
  }
  return out
}

function sectionPieces(tree: MimeTree, part: MimePart, spec: SectionSpec): SectionPiece[] | string {
  const isRoot = spec.path.length === 0
  const text = spec.text
  const range = (start: number, end: number): SectionPiece[] => [{ kind: 'range', start, end }]
  if (text === null) {
    return isRoot ? range(0, tree.size) : range(part.bodyStart, part.bodyEnd)
  }
  switch (text.kind) {
    case 'mime':
      // RFC 9051 6.4.5: MIME must follow a part number; it is that part's MIME header.
      if (isRoot) return 'MIME needs a part number'
      return range(part.headerStart, part.headerEnd)
    case 'header': {
      const entity = messageOf(part, isRoot)
      return range(entity.headerStart, entity.headerEnd)
    }
    case 'header-fields':
      return headerFields(messageOf(part, isRoot), text.fields, text.isNot)
    case 'text': {
      const entity = messageOf(part, isRoot)
      return range(entity.bodyStart, entity.bodyEnd)
    }
  }
}

/**
 * BODY[section]<partial>: the pieces of the raw message to send. HEADER, HEADER.FIELDS and
 * TEXT after a part number address the encapsulated message of a message/rfc822 part; on
 * other parts they address the part's own header and body (lenient, like Dovecot).
 */
export function section(raw: Buffer, tree: MimeTree, spec: SectionSpec): SectionResult {
  const part = resolvePart(tree, spec.path)
  if (part === undefined) return { kind: 'no-such-part' }
  const pieces = sectionPieces(tree, part, spec)
  if (typeof pieces === 'string') return { kind: 'invalid', reason: pieces }
  const inBounds = pieces.map((p) =>
    p.kind === 'range'
      ? { ...p, start: Math.min(p.start, raw.length), end: Math.min(p.end, raw.length) }
      : p,
  )
  const fullSize = inBounds.reduce((n, p) => n + pieceSize(p), 0)
  const clipped = clip(inBounds, spec.partial)
  return {
    kind: 'ok',
    pieces: clipped,
    size: clipped.reduce((n, p) => n + pieceSize(p), 0),
    fullSize,
  }
}

/** Concatenate a section's pieces into one buffer (for small sections and tests). */
export function sectionBytes(raw: Buffer, pieces: readonly SectionPiece[]): Buffer {
  return Buffer.concat(
    pieces.map((p) => (p.kind === 'range' ? raw.subarray(p.start, p.end) : p.bytes)),
  )
}

/**
 * BINARY[path]<partial> (RFC 9051 6.4.5): the part's content with its Content-Transfer-Encoding
 * removed. BINARY[] is the whole message as stored; multiparts are returned as stored.
 */
export function binarySection(
  raw: Buffer,
  tree: MimeTree,
  path: readonly number[],
  partial: PartialRange | null = null,
): BinaryResult {
  if (path.length === 0) return { kind: 'ok', bytes: clipBuffer(raw, partial) }
  const part = resolvePart(tree, path)
  if (part === undefined) return { kind: 'no-such-part' }
  const body = raw.subarray(part.bodyStart, part.bodyEnd)
  const isMultipart = part.contentType.type === 'multipart'
  const decoded = isMultipart ? body : decodeTransfer(body, part.transferEncoding)
  if (decoded === undefined) return { kind: 'unknown-cte', encoding: part.transferEncoding }
  return { kind: 'ok', bytes: clipBuffer(decoded, partial) }
}

/** BINARY.SIZE[path] (RFC 9051 6.4.5): the decoded size of the part. */
export function binarySize(
  raw: Buffer,
  tree: MimeTree,
  path: readonly number[],
): { kind: 'ok'; size: number } | Exclude<BinaryResult, { kind: 'ok' }> {
  const r = binarySection(raw, tree, path)
  return r.kind === 'ok' ? { kind: 'ok', size: r.bytes.length } : r
}

function clipBuffer(b: Buffer, partial: PartialRange | null): Buffer {
  if (partial === null) return b
  const start = Math.min(Math.max(0, partial.offset), b.length)
  return b.subarray(start, start + Math.min(Math.max(0, partial.length), b.length - start))
}

/**
 * Every part path of a message in pre-order (RFC 9051 6.4.5 numbering), with its entity:
 * [[1], [1, 1], [2], ...]. Useful to enumerate sections, e.g. for tests and prefetching.
 */
export function listPartPaths(tree: MimeTree): { path: number[]; part: MimePart }[] {
  const out: { path: number[]; part: MimePart }[] = []
  const visitPart = (part: MimePart, path: number[]): void => {
    out.push({ path, part })
    if (part.message !== null) visitMessage(part.message, path)
    else if (part.contentType.type === 'multipart' && !part.isDepthLimited) {
      part.children.forEach((c, i) => {
        visitPart(c, [...path, i + 1])
      })
    }
  }
  const visitMessage = (entity: MimePart, prefix: number[]): void => {
    if (entity.contentType.type === 'multipart' && !entity.isDepthLimited) {
      entity.children.forEach((c, i) => {
        visitPart(c, [...prefix, i + 1])
      })
    } else visitPart(entity, [...prefix, 1])
  }
  visitMessage(tree.root, [])
  return out
}
