// The facts of a message the content rules read, computed once per analysis from the MIME tree
// (src/mail/mime-tree.ts): decoded header values, the text of text/plain and text/html parts
// (transfer encoding and charset undone), the HTML scan (links, hidden text), and the
// attachments with their decoded bytes. Bounded: at most MAX_PARTS entities, MAX_PART_TEXT
// characters per text part, MAX_TEXT in all, MAX_ATTACHMENT_BYTES decoded per attachment.

import { decodeCharset, decodeEncodedWords, decodeHeaderBytes } from '../mail/encoded-words.ts'
import type { HeaderField } from '../mail/header-fields.ts'
import { parseMimeTree, type MimePart } from '../mail/mime-tree.ts'
import { paramValue } from '../mail/mime-params.ts'
import { decodeTransfer } from '../mail/transfer-decoding.ts'
import { scanHtml, type HtmlLink } from './rules/html.ts'

export const MAX_PARTS = 200
export const MAX_PART_TEXT = 200_000
export const MAX_TEXT = 400_000
export const MAX_ATTACHMENT_BYTES = 16 * 1024 * 1024

export interface Attachment {
  /** File name from Content-Disposition or Content-Type (decoded), '' when none. */
  filename: string
  /** "type/subtype", lower case. */
  contentType: string
  /** Decoded bytes (at most MAX_ATTACHMENT_BYTES). */
  data: Buffer
}

export interface MessageFacts {
  raw: Buffer
  /** Top-level header fields (unfolded, not decoded). */
  fields: HeaderField[]
  /** Raw bytes of the top-level header block. */
  headerBytes: Buffer
  subject: string
  /** The raw From value. */
  from: string
  /** Text of text/plain parts. */
  plainText: string
  /** Text of text/html parts, tags removed. */
  htmlText: string
  /** Raw HTML of text/html parts (entities kept). */
  html: string
  links: HtmlLink[]
  hiddenText: string
  images: number
  hasTextPart: boolean
  hasHtmlPart: boolean
  attachments: Attachment[]
}

/** The first decoded value of a header field, or undefined. */
export function header(facts: MessageFacts, name: string): string | undefined {
  const key = name.toLowerCase()
  const field = facts.fields.find((f) => f.key === key)
  return field === undefined ? undefined : decodeEncodedWords(field.value)
}

export function countFields(facts: MessageFacts, name: string): number {
  const key = name.toLowerCase()
  return facts.fields.reduce((n, f) => (f.key === key ? n + 1 : n), 0)
}

/** Body text for phrase rules: subject, plain text and HTML text. */
export function allText(facts: MessageFacts): string {
  return `${facts.subject}\n${facts.plainText}\n${facts.htmlText}`
}

function filenameOf(part: MimePart): string {
  const name =
    (part.disposition === null ? undefined : paramValue(part.disposition.params, 'filename')) ??
    paramValue(part.contentType.params, 'name') ??
    ''
  return decodeEncodedWords(name).trim()
}

function isAttachment(part: MimePart): boolean {
  const t = part.contentType.type
  if (part.disposition?.value === 'attachment') return true
  if (filenameOf(part) !== '' && t !== 'text') return true
  return t !== 'text' && t !== 'multipart' && t !== 'message'
}

function partText(raw: Buffer, part: MimePart): string {
  const body = raw.subarray(
    part.bodyStart,
    Math.min(part.bodyEnd, part.bodyStart + MAX_PART_TEXT * 2),
  )
  const decoded = decodeTransfer(body, part.transferEncoding) ?? body
  const charset = (paramValue(part.contentType.params, 'charset') ?? '').toLowerCase()
  // Undeclared or "us-ascii" 8-bit text is read as UTF-8 when valid (else Latin-1).
  const text =
    charset === '' || charset === 'us-ascii' || charset === 'ascii'
      ? decodeHeaderBytes(decoded)
      : decodeCharset(decoded, charset)
  return text.slice(0, MAX_PART_TEXT)
}

const IDENTITY = new Set(['7bit', '8bit', 'binary'])
/** The text subtypes people read; other text parts (text/calendar, text/csv...) are data. */
const PROSE = new Set(['plain', 'html', 'enriched', 'richtext', 'x-aol', 'rfc822-headers'])

/**
 * Every entity depth-first, like walkParts, except inside a message/rfc822 sent with a
 * base64 or quoted-printable encoding: the tree parsed those bytes undecoded, so such a
 * message is visited as one leaf (an attachment) instead.
 */
function walkReadable(root: MimePart, visit: (part: MimePart) => void): void {
  const stack: MimePart[] = [root]
  for (let part = stack.pop(); part !== undefined; part = stack.pop()) {
    visit(part)
    if (part.message !== null && IDENTITY.has(part.transferEncoding)) stack.push(part.message)
    for (let i = part.children.length - 1; i >= 0; i--) {
      const child = part.children[i]
      if (child !== undefined) stack.push(child)
    }
  }
}

/**
 * A message file saved from a mailbox may start with the mbox separator line
 * ("From sender date", no colon); it is not a header field and is skipped.
 */
export function withoutMboxLine(raw: Buffer): Buffer {
  if (raw.length < 6 || raw.toString('latin1', 0, 5) !== 'From ') return raw
  const eol = raw.indexOf(0x0a)
  return eol === -1 ? raw : raw.subarray(eol + 1)
}

export function messageFacts(input: Buffer): MessageFacts {
  const raw = withoutMboxLine(input)
  const tree = parseMimeTree(raw, { maxParts: MAX_PARTS, maxDepth: 20 })
  const root = tree.root
  const plain: string[] = []
  const htmls: string[] = []
  const attachments: Attachment[] = []
  let budget = MAX_TEXT
  let hasTextPart = false
  let hasHtmlPart = false
  walkReadable(root, (part) => {
    const { type, subtype } = part.contentType
    if (type === 'multipart') return
    if (part.message !== null && IDENTITY.has(part.transferEncoding)) return
    if (type === 'text' && !PROSE.has(subtype)) return // calendar, vCard, CSV: data, not prose
    if (type === 'text' && part.disposition?.value !== 'attachment') {
      if (budget <= 0) return
      const text = partText(raw, part).slice(0, budget)
      budget -= text.length
      if (subtype === 'html') {
        hasHtmlPart = true
        htmls.push(text)
      } else {
        if (subtype === 'plain') hasTextPart = true
        plain.push(text)
      }
      return
    }
    if (!isAttachment(part)) return
    const body = raw.subarray(part.bodyStart, part.bodyEnd)
    const limited = body.subarray(0, Math.ceil((MAX_ATTACHMENT_BYTES * 4) / 3) + 4)
    const data = decodeTransfer(limited, part.transferEncoding) ?? limited
    attachments.push({ filename: filenameOf(part), contentType: `${type}/${subtype}`, data })
  })
  const html = htmls.join('\n')
  const scan = scanHtml(html)
  return {
    raw,
    fields: root.fields,
    headerBytes: raw.subarray(0, root.headerEnd),
    subject: decodeEncodedWords(root.fields.find((f) => f.key === 'subject')?.value ?? ''),
    from: root.fields.find((f) => f.key === 'from')?.value ?? '',
    plainText: plain.join('\n'),
    htmlText: scan.text,
    html,
    links: scan.links,
    hiddenText: scan.hiddenText,
    images: scan.images,
    hasTextPart,
    hasHtmlPart,
    attachments,
  }
}
