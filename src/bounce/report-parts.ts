// The parts of a returned message that matter to bounce parsing, found in its MIME tree
// (src/mail/mime-tree.ts): the human-readable report (the first text/plain part outside the
// returned message, RFC 6522 3 / RFC 3464 2: the first part of a multipart/report) and the
// header of the returned message (RFC 3464 2: message/rfc822 or text/rfc822-headers; in a
// non-MIME bounce, the header block that follows the report text). HTML-only reports are
// reduced to text with bounded patterns.

import type { HeaderField } from '../mail/header-fields.ts'
import { walkParts, type MimePart } from '../mail/mime-tree.ts'
import { headerFieldsOf, partText } from './message-text.ts'
import { isGlobalHeaders } from './global-headers.ts'

/** Longest HTML report turned into text. */
const MAX_HTML_CHARS = 100_000
/** How deep in the tree the report's parts are looked for. */
const MAX_PART_DEPTH = 3

/** The first part (pre-order, at most MAX_PART_DEPTH deep) that passes the test. */
export function findPart(root: MimePart, test: (part: MimePart) => boolean): MimePart | undefined {
  let found: MimePart | undefined
  walkParts(root, (part) => {
    if (found === undefined && part.depth <= MAX_PART_DEPTH && test(part)) found = part
  })
  return found
}

/** Whether a part's content type is type/one-of-subtypes. */
export function isType(part: MimePart, type: string, subtypes: readonly string[]): boolean {
  return part.contentType.type === type && subtypes.includes(part.contentType.subtype)
}

/** The decoded text of the report: the first text/plain (or text/*) part outside the copy. */
export function reportBody(raw: Buffer, root: MimePart): string {
  const isReportText = (x: MimePart): boolean =>
    x.contentType.type === 'text' &&
    x.contentType.subtype !== 'rfc822-headers' &&
    !insideMessage(root, x)
  const plain = findPart(root, (x) => isReportText(x) && x.contentType.subtype === 'plain')
  const part = plain ?? findPart(root, isReportText)
  if (part === undefined && root.contentType.type === 'multipart' && root.children.length === 0) {
    return partText(raw, root) // a multipart whose boundaries never appear: read it whole
  }
  if (part === undefined) return ''
  const text = partText(raw, part)
  return part.contentType.subtype === 'html' ? htmlToText(text.slice(0, MAX_HTML_CHARS)) : text
}

function insideMessage(root: MimePart, target: MimePart): boolean {
  let inside = false
  const visit = (part: MimePart, nested: boolean): void => {
    if (part === target) inside = nested
    if (part.message !== null) visit(part.message, true)
    for (const c of part.children) visit(c, nested)
  }
  visit(root, false)
  return inside
}

function htmlToText(html: string): string {
  return html
    .replace(/<(br|p|div|tr|li)\b[^>]{0,200}>/gi, '\n')
    .replace(/<[^>]{0,500}>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** Header fields of the returned message: message/rfc822 or text/rfc822-headers (RFC 3464 2). */
export function originalFields(
  raw: Buffer,
  root: MimePart,
  text: { body: string; report: string },
): HeaderField[] {
  const message = findPart(root, (x) => x.depth > 0 && x.message !== null)
  if (message?.message != null) return message.message.fields
  const headers = findPart(root, (x) => isType(x, 'text', ['rfc822-headers']) || isGlobalHeaders(x))
  if (headers !== undefined) return headerFieldsOf(partText(raw, headers))
  // A non-standard bounce: the copy follows the report text.
  const rest = text.body.slice(text.report.length)
  const start = rest.search(/^(received|return-path|from|message-id|date|to|subject): /im)
  return start < 0 ? [] : headerFieldsOf(rest.slice(start))
}
