// The data items of one FETCH response (RFC 9051 6.4.5, 7.5.2): FLAGS, INTERNALDATE,
// RFC822.SIZE, UID, MODSEQ (RFC 7162 3.1.4), ENVELOPE, BODY, BODYSTRUCTURE, BODY[section]
// <partial>, BINARY[part]<partial> and BINARY.SIZE (RFC 3516), and the RFC822 forms of
// RFC 3501 6.4.5. The whole message (BODY[], RFC822, and partial ranges of it) is streamed
// from the store in pieces; other sections parse the message once per FETCH response.
import type { FetchAttribute, Section } from '../imap/commands/fetch.ts'
import { fetchItemName } from '../imap/commands/fetch.ts'
import { ProtocolNo } from '../imap/errors.ts'
import { atom, list, literal, literalStream, nil, num, str, type Token } from '../imap/response.ts'
import { bodyStructure } from '../mail/body-structure.ts'
import { envelope } from '../mail/envelope.ts'
import { parseMimeTree, type MimeTree } from '../mail/mime-tree.ts'
import { binarySection, binarySize, section, sectionBytes } from '../mail/section.ts'
import type { MessageRow, Store } from '../store/types.ts'
import { bodyStructureToken, envelopeToken } from './message-views.ts'

/** Pieces read from the store at a time when streaming a message. */
const STREAM_PIECE_BYTES = 256 * 1024

export interface FetchContext {
  store: Store
  mailboxId: number
  isUtf8: boolean
}

/** One message's items, in the order asked; the parsed message is shared between them. */
export async function fetchItems(
  ctx: FetchContext,
  row: MessageRow,
  attrs: readonly FetchAttribute[],
): Promise<Token[]> {
  let parsed: { raw: Buffer; tree: MimeTree } | undefined
  const load = async (): Promise<{ raw: Buffer; tree: MimeTree }> => {
    if (parsed !== undefined) return parsed
    const raw = (await ctx.store.messages.body(row.blobId)) ?? Buffer.alloc(0)
    parsed = { raw, tree: parseMimeTree(raw) }
    return parsed
  }
  const items: Token[] = []
  for (const attr of attrs) {
    items.push(atom(fetchItemName(attr)))
    items.push(await itemValue(ctx, row, attr, load))
  }
  return items
}

async function itemValue(
  ctx: FetchContext,
  row: MessageRow,
  attr: FetchAttribute,
  load: () => Promise<{ raw: Buffer; tree: MimeTree }>,
): Promise<Token> {
  switch (attr.kind) {
    case 'flags':
      return list(row.flags.map(atom))
    case 'internal-date':
      return str(formatInternalDate(row.internalDate))
    case 'rfc822-size':
      return num(row.size)
    case 'uid':
      return num(row.uid)
    case 'modseq':
      return list([num(row.modseq)]) // RFC 7162 3.1.4.1
    case 'envelope':
      return envelopeToken(envelope((await load()).tree), ctx.isUtf8)
    case 'body-structure':
      return bodyStructureToken(bodyStructure((await load()).tree, { extended: true }), ctx.isUtf8)
    case 'body':
      return bodyStructureToken(bodyStructure((await load()).tree, { extended: false }), ctx.isUtf8)
    case 'rfc822':
      return wholeMessage(ctx, row, undefined)
    case 'rfc822-header':
      return sectionValue(await load(), { part: [], text: { kind: 'header' } }, undefined)
    case 'rfc822-text':
      return sectionValue(await load(), { part: [], text: { kind: 'text' } }, undefined)
    case 'body-section':
      if (attr.section.part.length === 0 && attr.section.text === undefined) {
        return wholeMessage(ctx, row, attr.partial)
      }
      return sectionValue(await load(), attr.section, attr.partial)
    case 'binary':
      return binaryValue(await load(), attr.part, attr.partial)
    case 'binary-size': {
      const { raw, tree } = await load()
      const r = binarySize(raw, tree, attr.part)
      if (r.kind === 'unknown-cte') throw new ProtocolNo('UNKNOWN-CTE', 'unknown encoding')
      return r.kind === 'ok' ? num(r.size) : nil
    }
  }
}

/** BODY[] / RFC822, or a partial range of it, streamed from the store (RFC 9051 6.4.5). */
function wholeMessage(
  ctx: FetchContext,
  row: MessageRow,
  partial: { offset: number; length: number } | undefined,
): Token {
  const start = Math.min(partial?.offset ?? 0, row.size)
  const length = Math.min(partial?.length ?? row.size, row.size - start)
  return literalStream(length, streamBody(ctx, row.uid, start, length))
}

async function* streamBody(
  ctx: FetchContext,
  uid: number,
  start: number,
  length: number,
): AsyncGenerator<Buffer> {
  let offset = start
  let left = length
  while (left > 0) {
    const piece = await ctx.store.messages.readBody({
      mailboxId: ctx.mailboxId,
      uid,
      offset,
      length: Math.min(left, STREAM_PIECE_BYTES),
    })
    if (piece === undefined || piece.length === 0) throw new Error('message gone while sending it')
    yield piece
    offset += piece.length
    left -= piece.length
  }
}

function sectionValue(
  msg: { raw: Buffer; tree: MimeTree },
  spec: Section,
  partial: { offset: number; length: number } | undefined,
): Token {
  const r = section(msg.raw, msg.tree, {
    path: spec.part,
    text: spec.text ?? null,
    partial: partial ?? null,
  })
  if (r.kind === 'invalid') throw new ProtocolNo('CANNOT', r.reason)
  // RFC 9051 6.4.5: a part that does not exist is an empty string (as Dovecot does).
  if (r.kind === 'no-such-part') return str('')
  return literal(sectionBytes(msg.raw, r.pieces))
}

function binaryValue(
  msg: { raw: Buffer; tree: MimeTree },
  part: number[],
  partial: { offset: number; length: number } | undefined,
): Token {
  const r = binarySection(msg.raw, msg.tree, part, partial ?? null)
  if (r.kind === 'unknown-cte') throw new ProtocolNo('UNKNOWN-CTE', 'unknown encoding') // RFC 3516
  if (r.kind === 'no-such-part') return nil
  return literal(r.bytes, { isBinary: r.bytes.includes(0) }) // RFC 3516 4.2: literal8 for NUL
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** RFC 9051 9: date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone. */
export function formatInternalDate(epochMs: number): string {
  const d = new Date(epochMs)
  const two = (n: number): string => String(n).padStart(2, '0')
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
  const month = MONTHS[d.getUTCMonth()] ?? 'Jan'
  return `${two(d.getUTCDate())}-${month}-${d.getUTCFullYear()} ${time} +0000`
}

/** Items that set \Seen when the mailbox is read-write (RFC 9051 6.4.5: not the .PEEK forms). */
export function setsSeen(attr: FetchAttribute): boolean {
  return (
    attr.kind === 'rfc822' ||
    attr.kind === 'rfc822-text' ||
    ((attr.kind === 'body-section' || attr.kind === 'binary') && !attr.isPeek)
  )
}
