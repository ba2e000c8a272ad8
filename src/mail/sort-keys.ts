// SORT keys (RFC 5256 3, with RFC 5957 DISPLAYFROM/DISPLAYTO) computed from a message's header
// fields, and the comparison of SORT: strings under i;ascii-casemap (RFC 4790 9.2), dates in
// UTC, ties broken by sequence number (RFC 5256 3). Also the sent date of RFC 5256 2.2, which
// THREAD uses.

import { parseAddressList, formatAddrSpec, type Mailbox } from './address-list.ts'
import { asciiCasemap, baseSubject } from './base-subject.ts'
import type { HeaderField } from './header-fields.ts'

export type SortKeyName =
  'ARRIVAL' | 'CC' | 'DATE' | 'FROM' | 'SIZE' | 'SUBJECT' | 'TO' | 'DISPLAYFROM' | 'DISPLAYTO'

export interface SortCriterion {
  key: SortKeyName
  isReverse: boolean
}

/** What SORT and THREAD need of one message, header fields parsed once. */
export interface SortFacts {
  /** Internal date, epoch ms (ARRIVAL). */
  arrival: number
  /** RFC 5256 2.2 sent date: the Date header in UTC, else the internal date; epoch ms. */
  date: number
  size: number
  /** Already casemapped (RFC 5256 3: i;ascii-casemap). */
  from: string
  to: string
  cc: string
  displayFrom: string
  displayTo: string
  /** The base subject, casemapped; `isReplyOrForward` from its extraction. */
  subject: string
  isReplyOrForward: boolean
  messageId: string | undefined
  references: string[]
  inReplyTo: string | undefined
}

function first(fields: readonly HeaderField[], key: string): string | undefined {
  return fields.find((f) => f.key === key)?.value
}

function firstMailbox(value: string | undefined): Mailbox | { group: string } | undefined {
  if (value === undefined) return undefined
  const entry = parseAddressList(value)[0]
  if (entry === undefined) return undefined
  return entry.kind === 'mailbox' ? entry.mailbox : { group: entry.name }
}

/** RFC 5256 3: addr-mailbox (the local part; the group name for a group) of the first address. */
function addrMailbox(value: string | undefined): string {
  const m = firstMailbox(value)
  if (m === undefined) return ''
  return asciiCasemap('group' in m ? m.group : (m.localPart ?? ''))
}

/**
 * RFC 5957 3: the decoded display name of the first address if it has a non-empty one,
 * otherwise its addr-spec ("" with no address).
 */
function displayName(value: string | undefined): string {
  const m = firstMailbox(value)
  if (m === undefined) return ''
  if ('group' in m) return asciiCasemap(m.group)
  const name = m.nameDecoded?.trim() ?? ''
  return asciiCasemap(name !== '' ? name : formatAddrSpec(m))
}

/** RFC 5322 3.6.4 msg-id values ("<...>") in order; lenient about CFWS between them. */
export function parseMessageIds(value: string | undefined): string[] {
  if (value === undefined) return []
  const out: string[] = []
  for (const m of value.replace(/\([^()]*\)/g, ' ').matchAll(/<([^<>\s]+)>/g)) {
    out.push(m[1] ?? '')
  }
  return out
}

export function sortFacts(
  fields: readonly HeaderField[],
  row: { internalDate: number; size: number },
): SortFacts {
  const subject = baseSubject(first(fields, 'subject') ?? '')
  const to = first(fields, 'to')
  const from = first(fields, 'from')
  return {
    arrival: row.internalDate,
    date: parseDateTime(first(fields, 'date') ?? '') ?? row.internalDate,
    size: row.size,
    from: addrMailbox(from),
    to: addrMailbox(to),
    cc: addrMailbox(first(fields, 'cc')),
    displayFrom: displayName(from),
    displayTo: displayName(to),
    subject: asciiCasemap(subject.base),
    isReplyOrForward: subject.isReplyOrForward,
    messageId: parseMessageIds(first(fields, 'message-id'))[0],
    references: parseMessageIds(first(fields, 'references')),
    inReplyTo: parseMessageIds(first(fields, 'in-reply-to'))[0],
  }
}

const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec'
// RFC 5322 4.3 obs-zone: UT/GMT, the US zones; military zones count as -0000.
const ZONES: Record<string, number> = {
  UT: 0,
  GMT: 0,
  Z: 0,
  EST: -500,
  EDT: -400,
  CST: -600,
  CDT: -500,
  MST: -700,
  MDT: -600,
  PST: -800,
  PDT: -700,
}

/** RFC 5322 3.3 date-time (and 4.3 obsolete forms) as epoch ms in UTC; undefined if invalid. */
export function parseDateTime(value: string): number | undefined {
  const text = value.replace(/\([^()]*\)/g, ' ')
  const m =
    /^\s*(?:[A-Za-z]+\s*,\s*)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\s+(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?\s*([+-]\d{4}|[A-Za-z]+)?/.exec(
      text,
    )
  if (m === null) return undefined
  const month = MONTHS.indexOf((m[2] ?? '').toLowerCase())
  if (month < 0 || month % 3 !== 0) return undefined
  let year = Number(m[3])
  if ((m[3] ?? '').length < 4) year += year < 50 ? 2000 : 1900 // RFC 5322 4.3
  const [day, hour, minute, second] = [m[1], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
  ]
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
  const zone = m[7] ?? '+0000'
  const hhmm = /^[+-]/.test(zone) ? Number(zone) : (ZONES[zone.toUpperCase()] ?? 0)
  const offset = Math.trunc(hhmm / 100) * 60 + (hhmm % 100)
  return Date.UTC(year, month / 3, day, hour, minute - offset, Math.min(second, 59))
}

function compareStrings(a: string, b: string): number {
  // RFC 4790 9.2: octet order of the casemapped UTF-8, which is code point order; UTF-16 code
  // units agree except that surrogates must sort above U+E000..U+FFFF.
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800
  return unit >= 0xd800 ? unit + 0x2000 : unit
}

function compareKey(key: SortKeyName, a: SortFacts, b: SortFacts): number {
  switch (key) {
    case 'ARRIVAL':
      return a.arrival - b.arrival
    case 'DATE':
      return a.date - b.date
    case 'SIZE':
      return a.size - b.size
    case 'FROM':
      return compareStrings(a.from, b.from)
    case 'TO':
      return compareStrings(a.to, b.to)
    case 'CC':
      return compareStrings(a.cc, b.cc)
    case 'SUBJECT':
      return compareStrings(a.subject, b.subject)
    case 'DISPLAYFROM':
      return compareStrings(a.displayFrom, b.displayFrom)
    case 'DISPLAYTO':
      return compareStrings(a.displayTo, b.displayTo)
  }
}

/**
 * RFC 5256 3: order by the criteria in turn (REVERSE inverting one), ties by sequence number
 * (the order of `items`, which must be in mailbox order).
 */
export function sortByCriteria<T extends { facts: SortFacts }>(
  items: readonly T[],
  criteria: readonly SortCriterion[],
): T[] {
  const indexed = items.map((item, i) => ({ item, i }))
  indexed.sort((x, y) => {
    for (const c of criteria) {
      const d = compareKey(c.key, x.item.facts, y.item.facts)
      if (d !== 0) return c.isReverse ? -d : d
    }
    return x.i - y.i
  })
  return indexed.map((x) => x.item)
}
