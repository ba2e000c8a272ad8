// Text form of an IMAP section spec (RFC 9051 6.4.5, "section" and "partial" in 9):
// "1.2.HEADER.FIELDS (Subject From)" and "<0.1024>", parsed into the SectionSpec that
// section() takes. The IMAP command parser may build SectionSpec itself; this is for callers
// that hold the text (tests, tools).

import type { PartialRange, SectionSpec, SectionText } from './section.ts'

function parseText(rest: string): SectionText | null | undefined {
  const upper = rest.toUpperCase()
  if (upper === '') return null
  if (upper === 'HEADER') return { kind: 'header' }
  if (upper === 'TEXT') return { kind: 'text' }
  if (upper === 'MIME') return { kind: 'mime' }
  const m = /^HEADER\.FIELDS(\.NOT)?\s+\(([^()]*)\)$/i.exec(rest)
  if (m === null) return undefined
  const fields = (m[2] ?? '').split(/\s+/).filter((f) => f !== '')
  if (fields.length === 0) return undefined
  return { kind: 'header-fields', fields, isNot: m[1] !== undefined }
}

/** Parse "<offset.length>" (RFC 9051 9 "partial"); undefined when malformed. */
export function parsePartial(text: string): PartialRange | undefined {
  const m = /^<(\d{1,15})\.(\d{1,15})>$/.exec(text)
  if (m === null) return undefined
  const length = Number(m[2])
  return length === 0 ? undefined : { offset: Number(m[1]), length }
}

/** Parse the text between BODY[ and ], and an optional partial; undefined when malformed. */
export function parseSectionSpec(text: string, partial = ''): SectionSpec | undefined {
  const m = /^([1-9]\d{0,8}(?:\.[1-9]\d{0,8})*)(?:\.(.+))?$/s.exec(text)
  const path = m?.[1] === undefined ? [] : m[1].split('.').map(Number)
  const rest = m === null ? text : (m[2] ?? '')
  const sectionText = parseText(rest)
  if (sectionText === undefined) return undefined
  if (sectionText?.kind === 'mime' && path.length === 0) return undefined
  const range = partial === '' ? null : parsePartial(partial)
  if (range === undefined) return undefined
  return { path, text: sectionText, partial: range }
}
