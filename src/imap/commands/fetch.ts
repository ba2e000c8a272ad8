// FETCH and UID FETCH (RFC 9051 6.4.5, 6.4.9) with BINARY (RFC 3516), CONDSTORE's MODSEQ
// item and CHANGEDSINCE modifier (RFC 7162 3.1.4) and QRESYNC's VANISHED modifier (RFC 7162
// 3.2.6), and IMAP4rev1's RFC822 items (RFC 3501 6.4.5):
//   fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
//           "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]

import type { ArgCursor } from '../arg-cursor.ts'
import type { SequenceSet } from '../sequence-set.ts'

/** RFC 9051 9: section-msgtext / "MIME"; HEADER.FIELDS names upper-cased. */
export type SectionText =
  | { kind: 'header' }
  | { kind: 'header-fields'; fields: string[]; isNot: boolean }
  | { kind: 'text' }
  | { kind: 'mime' }

/** RFC 9051 9: section-spec: a part path (1.2.3; empty = whole message) and what of it. */
export interface Section {
  part: number[]
  text?: SectionText
}

/** RFC 9051 9: partial = "<" number "." nz-number ">" (origin octet and length). */
export interface Partial {
  offset: number
  length: number
}

export type FetchAttribute =
  | { kind: 'envelope' }
  | { kind: 'flags' }
  | { kind: 'internal-date' }
  | { kind: 'rfc822-size' }
  | { kind: 'body-structure' }
  /** "BODY" alone: the non-extensible BODYSTRUCTURE. */
  | { kind: 'body' }
  | { kind: 'uid' }
  | { kind: 'modseq' }
  /** RFC 3501: RFC822 = BODY[], RFC822.HEADER = BODY.PEEK[HEADER], RFC822.TEXT = BODY[TEXT]. */
  | { kind: 'rfc822' }
  | { kind: 'rfc822-header' }
  | { kind: 'rfc822-text' }
  | { kind: 'body-section'; section: Section; partial?: Partial; isPeek: boolean }
  | { kind: 'binary'; part: number[]; partial?: Partial; isPeek: boolean }
  | { kind: 'binary-size'; part: number[] }

export interface FetchArgs {
  sequenceSet: SequenceSet
  /** In the order asked, macros expanded (RFC 9051 6.4.5). */
  attributes: FetchAttribute[]
  /** RFC 7162 3.1.4: only messages with a higher mod-sequence; MODSEQ is then implied. */
  changedSince?: bigint
  /** RFC 7162 3.2.6: report expunged UIDs as VANISHED (EARLIER); UID FETCH only. */
  isVanished: boolean
}

const SIMPLE: Record<string, FetchAttribute> = {
  ENVELOPE: { kind: 'envelope' },
  FLAGS: { kind: 'flags' },
  INTERNALDATE: { kind: 'internal-date' },
  'RFC822.SIZE': { kind: 'rfc822-size' },
  BODYSTRUCTURE: { kind: 'body-structure' },
  BODY: { kind: 'body' },
  UID: { kind: 'uid' },
  MODSEQ: { kind: 'modseq' },
  RFC822: { kind: 'rfc822' },
  'RFC822.HEADER': { kind: 'rfc822-header' },
  'RFC822.TEXT': { kind: 'rfc822-text' },
}

// RFC 9051 6.4.5: the macros.
const FAST: FetchAttribute[] = [
  { kind: 'flags' },
  { kind: 'internal-date' },
  { kind: 'rfc822-size' },
]
const MACROS: Record<string, FetchAttribute[]> = {
  FAST,
  ALL: [...FAST, { kind: 'envelope' }],
  FULL: [...FAST, { kind: 'envelope' }, { kind: 'body' }],
}

export function parse(c: ArgCursor): FetchArgs {
  c.sp()
  const sequenceSet = c.sequenceSet()
  c.sp()
  let attributes: FetchAttribute[]
  if (c.peek() === '(') {
    attributes = c.list(() => parseAttribute(c), { allowEmpty: false })
  } else {
    const save = c.until(' ([<').toUpperCase()
    const macro = MACROS[save]
    attributes = macro !== undefined ? [...macro] : [parseAttributeNamed(c, save)]
  }
  const args: FetchArgs = { sequenceSet, attributes, isVanished: false }
  if (!c.isAtEnd()) {
    c.sp()
    parseModifiers(c, args)
  }
  c.expectEnd()
  // RFC 7162 3.2.6: VANISHED only with UID FETCH and CHANGEDSINCE.
  if (args.isVanished && (!c.isUid || args.changedSince === undefined)) {
    throw c.bad('VANISHED needs UID FETCH and CHANGEDSINCE')
  }
  return args
}

function parseModifiers(c: ArgCursor, args: FetchArgs): void {
  // RFC 4466 2.4: fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
  c.list(
    () => {
      const name = c.keyword('fetch modifier')
      if (name === 'CHANGEDSINCE') {
        c.sp()
        args.changedSince = c.number64('mod-sequence') // RFC 7162 3.1.4.1
      } else if (name === 'VANISHED') {
        args.isVanished = true // RFC 7162 3.2.6
      } else throw c.bad(`unknown FETCH modifier ${name}`)
    },
    { allowEmpty: false },
  )
}

function parseAttribute(c: ArgCursor): FetchAttribute {
  return parseAttributeNamed(c, c.until(' ()[<').toUpperCase())
}

/** RFC 9051 9: fetch-att, its name already read. */
function parseAttributeNamed(c: ArgCursor, name: string): FetchAttribute {
  if (c.peek() !== '[') {
    const simple = SIMPLE[name]
    if (simple === undefined) throw c.bad(`unknown FETCH item ${name || '(empty)'}`)
    return simple
  }
  switch (name) {
    case 'BODY':
    case 'BODY.PEEK': {
      const section = parseSection(c)
      const partial = parsePartial(c)
      const isPeek = name === 'BODY.PEEK'
      return partial === undefined
        ? { kind: 'body-section', section, isPeek }
        : { kind: 'body-section', section, partial, isPeek }
    }
    case 'BINARY':
    case 'BINARY.PEEK': {
      // RFC 3516 4.2 / RFC 9051 9: section-binary = "[" [section-part] "]"
      const part = parseSectionBinary(c)
      const partial = parsePartial(c)
      const isPeek = name === 'BINARY.PEEK'
      return partial === undefined
        ? { kind: 'binary', part, isPeek }
        : { kind: 'binary', part, partial, isPeek }
    }
    case 'BINARY.SIZE':
      return { kind: 'binary-size', part: parseSectionBinary(c) }
    default:
      throw c.bad(`unknown FETCH item ${name}`)
  }
}

/** RFC 9051 9: section = "[" [section-spec] "]". */
export function parseSection(c: ArgCursor): Section {
  c.expect('[')
  const part = parseSectionPart(c)
  if (c.take(']')) return { part }
  if (part.length > 0) c.expect('.')
  const word = c.until(' ]').toUpperCase()
  let text: SectionText
  if (word === 'HEADER') text = { kind: 'header' }
  else if (word === 'TEXT') text = { kind: 'text' }
  else if (word === 'MIME' && part.length > 0)
    text = { kind: 'mime' } // section-text only
  else if (word === 'HEADER.FIELDS' || word === 'HEADER.FIELDS.NOT') {
    c.sp()
    // RFC 9051 9: header-list = "(" header-fld-name *(SP header-fld-name) ")"
    const fields = c.list(() => c.astring('header field name').toUpperCase(), {
      allowEmpty: false,
    })
    text = { kind: 'header-fields', fields, isNot: word === 'HEADER.FIELDS.NOT' }
  } else throw c.bad(`bad section ${word || '(empty)'}`)
  c.expect(']')
  return { part, text }
}

/** RFC 9051 9: section-part = nz-number *("." nz-number); empty when absent. */
function parseSectionPart(c: ArgCursor): number[] {
  const part: number[] = []
  while (c.peek() !== undefined && /[0-9]/.test(c.peek() ?? '')) {
    part.push(c.nzNumber('section part'))
    const next = c.peek()
    if (next !== '.') break
    // A dot followed by a letter starts section-text, not another part number.
    c.expect('.')
    if (!/[0-9]/.test(c.peek() ?? '')) {
      c.unread(1)
      break
    }
  }
  return part
}

function parseSectionBinary(c: ArgCursor): number[] {
  c.expect('[')
  const part = parseSectionPart(c)
  c.expect(']')
  return part
}

function parsePartial(c: ArgCursor): Partial | undefined {
  if (!c.take('<')) return undefined
  const offset = c.number('partial offset')
  c.expect('.')
  const length = c.nzNumber('partial length')
  c.expect('>')
  return { offset, length }
}

/**
 * The item name for the FETCH response (RFC 9051 7.5.2): BODY.PEEK answers as BODY, a
 * partial shows only its origin (`BODY[]<0>`), RFC822.HEADER etc. keep their names.
 */
export function fetchItemName(attr: FetchAttribute): string {
  switch (attr.kind) {
    case 'envelope':
      return 'ENVELOPE'
    case 'flags':
      return 'FLAGS'
    case 'internal-date':
      return 'INTERNALDATE'
    case 'rfc822-size':
      return 'RFC822.SIZE'
    case 'body-structure':
      return 'BODYSTRUCTURE'
    case 'body':
      return 'BODY'
    case 'uid':
      return 'UID'
    case 'modseq':
      return 'MODSEQ'
    case 'rfc822':
      return 'RFC822'
    case 'rfc822-header':
      return 'RFC822.HEADER'
    case 'rfc822-text':
      return 'RFC822.TEXT'
    case 'body-section':
      return `BODY[${sectionToString(attr.section)}]${origin(attr.partial)}`
    case 'binary':
      return `BINARY[${attr.part.join('.')}]${origin(attr.partial)}`
    case 'binary-size':
      return `BINARY.SIZE[${attr.part.join('.')}]`
  }
}

function origin(partial: Partial | undefined): string {
  return partial === undefined ? '' : `<${partial.offset}>`
}

/** RFC 9051 9 section-spec in wire form, e.g. `1.HEADER.FIELDS (FROM TO)`. */
export function sectionToString(section: Section): string {
  const part = section.part.join('.')
  const text = section.text
  if (text === undefined) return part
  const prefix = part === '' ? '' : `${part}.`
  switch (text.kind) {
    case 'header':
      return `${prefix}HEADER`
    case 'text':
      return `${prefix}TEXT`
    case 'mime':
      return `${prefix}MIME`
    case 'header-fields': {
      const names = text.fields.map((f) =>
        /^[A-Za-z0-9!#$&'+\-.^_`|~]+$/.test(f) ? f : JSON.stringify(f),
      )
      return `${prefix}HEADER.FIELDS${text.isNot ? '.NOT' : ''} (${names.join(' ')})`
    }
  }
}
