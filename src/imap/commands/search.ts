// SEARCH and UID SEARCH (RFC 9051 6.4.4, 6.4.9) with ESEARCH return options (RFC 4731,
// RFC 9051 6.4.4.1), SEARCHRES's SAVE and "$" (RFC 5182), CONDSTORE's MODSEQ key (RFC 7162
// 3.1.5) and WITHIN's OLDER/YOUNGER (RFC 5032):
//   search = "SEARCH" [search-return-opts] SP search-program
//   search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
// CHARSET other than UTF-8 / US-ASCII is refused with NO [BADCHARSET (UTF-8 US-ASCII)]
// (RFC 9051 6.4.4), the one case where this parser throws ProtocolNo.

import type { ArgCursor, ImapDate } from '../arg-cursor.ts'
import { ProtocolNo } from '../errors.ts'
import { code } from '../response.ts'
import type { SequenceSet } from '../sequence-set.ts'

export type SearchKey =
  | { kind: 'all' }
  /** ANSWERED, DELETED, DRAFT, FLAGGED, SEEN, KEYWORD k (isSet) and their UN- forms. */
  | { kind: 'flag'; flag: string; isSet: boolean }
  /** RFC 3501: RECENT, NEW (= RECENT UNSEEN), OLD (= NOT RECENT). */
  | { kind: 'recent'; isSet: boolean }
  /** BCC/CC/FROM/SUBJECT/TO are header searches with that field name (upper-cased). */
  | { kind: 'header'; field: string; value: string }
  | { kind: 'body'; value: string }
  | { kind: 'text'; value: string }
  /** BEFORE/ON/SINCE (internal date) and SENTBEFORE/SENTON/SENTSINCE (Date: header). */
  | { kind: 'date'; field: 'internal' | 'sent'; op: 'before' | 'on' | 'since'; date: ImapDate }
  | { kind: 'size'; op: 'larger' | 'smaller'; size: number }
  | { kind: 'uid'; set: SequenceSet }
  | { kind: 'sequence'; set: SequenceSet }
  | { kind: 'not'; key: SearchKey }
  | { kind: 'or'; left: SearchKey; right: SearchKey }
  | { kind: 'and'; keys: SearchKey[] }
  /** RFC 7162 3.1.5: MODSEQ [entry-name entry-type] mod-sequence (entry is advisory). */
  | { kind: 'modseq'; modSeq: bigint; entry?: { name: string; type: 'priv' | 'shared' | 'all' } }
  /** RFC 5032: internal date older / younger than this many seconds. */
  | { kind: 'age'; op: 'older' | 'younger'; seconds: number }

/** RFC 4731 3.1 / RFC 5182 2: ESEARCH result options. */
export type SearchReturnOption = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE'

export interface SearchArgs {
  /** RETURN options; absent when the client sent none (plain SEARCH response in rev1). */
  returnOptions?: SearchReturnOption[]
  /** Upper-cased charset ("UTF-8" when none was given). */
  charset: string
  /** The keys ANDed together, as one key (a single key is not wrapped). */
  criteria: SearchKey
}

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
}
const HEADER_KEYS = new Set(['BCC', 'CC', 'FROM', 'SUBJECT', 'TO'])
const DATE_KEYS: Record<string, ['internal' | 'sent', 'before' | 'on' | 'since']> = {
  BEFORE: ['internal', 'before'],
  ON: ['internal', 'on'],
  SINCE: ['internal', 'since'],
  SENTBEFORE: ['sent', 'before'],
  SENTON: ['sent', 'on'],
  SENTSINCE: ['sent', 'since'],
}
const RETURN_OPTIONS: readonly SearchReturnOption[] = ['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']
const CHARSETS = ['UTF-8', 'US-ASCII']
const MAX_DEPTH = 64 // nesting of NOT/OR/() before BAD, so no input can exhaust the stack

export function parse(c: ArgCursor): SearchArgs {
  c.sp()
  let returnOptions: SearchReturnOption[] | undefined
  if (c.take('RETURN ')) {
    // RFC 4731 3.1: RETURN () means RETURN (ALL).
    const opts = c.list(() => returnOption(c), { allowEmpty: true })
    returnOptions = opts.length === 0 ? ['ALL'] : [...new Set(opts)]
    c.sp()
  }
  const { charset, criteria } = parseSearchCriteria(c, { isCharsetRequired: false })
  c.expectEnd()
  return returnOptions === undefined ? { charset, criteria } : { returnOptions, charset, criteria }
}

function returnOption(c: ArgCursor): SearchReturnOption {
  const name = c.keyword('return option')
  const opt = RETURN_OPTIONS.find((o) => o === name)
  if (opt === undefined) throw c.bad(`unknown SEARCH return option ${name}`)
  return opt
}

/**
 * RFC 9051 9 search-program, or RFC 5256 search-criteria (charset required, for SORT and
 * THREAD): ["CHARSET" SP] charset SP search-key *(SP search-key), to the end of the command.
 */
export function parseSearchCriteria(
  c: ArgCursor,
  opts: { isCharsetRequired: boolean },
): { charset: string; criteria: SearchKey } {
  let charset = 'UTF-8'
  if (opts.isCharsetRequired || c.take('CHARSET ')) {
    // RFC 9051 9: charset = atom / quoted
    charset = (c.peek() === '"' ? c.string('charset') : c.atom('charset')).toUpperCase()
    if (!CHARSETS.includes(charset)) {
      throw new ProtocolNo(code.badCharset(CHARSETS), `charset ${charset} not supported`)
    }
    c.sp()
  }
  const keys = [parseKey(c, 0)]
  while (c.take(' ')) keys.push(parseKey(c, 0))
  return { charset, criteria: keys.length === 1 && keys[0] ? keys[0] : { kind: 'and', keys } }
}

/** RFC 9051 9: search-key. */
export function parseKey(c: ArgCursor, depth: number): SearchKey {
  if (depth > MAX_DEPTH) throw c.bad('search keys nested too deeply')
  const first = c.peek()
  if (first === '(') {
    const keys = c.list(() => parseKey(c, depth + 1), { allowEmpty: false })
    return keys.length === 1 && keys[0] ? keys[0] : { kind: 'and', keys }
  }
  if (first !== undefined && /[0-9*$]/.test(first))
    return { kind: 'sequence', set: c.sequenceSet() }
  const name = c.keyword('search key')
  const flag = FLAG_KEYS[name]
  if (flag !== undefined) return { kind: 'flag', flag: flag[0], isSet: flag[1] }
  const dateKey = DATE_KEYS[name]
  if (dateKey !== undefined) {
    c.sp()
    return { kind: 'date', field: dateKey[0], op: dateKey[1], date: c.date() }
  }
  if (HEADER_KEYS.has(name)) {
    c.sp()
    return { kind: 'header', field: name, value: c.astring() }
  }
  return parseOtherKey(c, name, depth)
}

function parseOtherKey(c: ArgCursor, name: string, depth: number): SearchKey {
  switch (name) {
    case 'ALL':
      return { kind: 'all' }
    case 'NEW':
      return { kind: 'and', keys: [{ kind: 'recent', isSet: true }, FLAG_UNSEEN] }
    case 'OLD':
      return { kind: 'recent', isSet: false }
    case 'RECENT':
      return { kind: 'recent', isSet: true }
    case 'KEYWORD':
    case 'UNKEYWORD':
      c.sp()
      return { kind: 'flag', flag: c.atom('keyword'), isSet: name === 'KEYWORD' }
    case 'HEADER': {
      c.sp()
      const field = c.astring('header field name').toUpperCase()
      c.sp()
      return { kind: 'header', field, value: c.astring() }
    }
    case 'BODY':
    case 'TEXT':
      c.sp()
      return { kind: name === 'BODY' ? 'body' : 'text', value: c.astring() }
    case 'LARGER':
    case 'SMALLER':
      c.sp()
      return { kind: 'size', op: name === 'LARGER' ? 'larger' : 'smaller', size: size(c) }
    case 'UID':
      c.sp()
      return { kind: 'uid', set: c.sequenceSet() }
    case 'NOT':
      c.sp()
      return { kind: 'not', key: parseKey(c, depth + 1) }
    case 'OR': {
      c.sp()
      const left = parseKey(c, depth + 1)
      c.sp()
      return { kind: 'or', left, right: parseKey(c, depth + 1) }
    }
    case 'MODSEQ':
      return parseModseq(c)
    case 'OLDER':
    case 'YOUNGER':
      c.sp() // RFC 5032 3: "OLDER" SP nz-number
      return { kind: 'age', op: name === 'OLDER' ? 'older' : 'younger', seconds: c.nzNumber() }
    default:
      throw c.bad(`unknown search key ${name}`)
  }
}

const FLAG_UNSEEN: SearchKey = { kind: 'flag', flag: '\\Seen', isSet: false }

function size(c: ArgCursor): number {
  const n = c.number64('size') // RFC 9051 9: number64
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n)
}

/** RFC 7162 3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer. */
function parseModseq(c: ArgCursor): SearchKey {
  c.sp()
  if (c.peek() === '"' || !/[0-9]/.test(c.peek() ?? '')) {
    const name = c.string('entry name') // RFC 7162 7: entry-name = entry-flag-name (quoted)
    c.sp()
    const type = c.keyword('entry type').toLowerCase()
    if (type !== 'priv' && type !== 'shared' && type !== 'all') throw c.bad('bad entry type')
    c.sp()
    return { kind: 'modseq', modSeq: c.number64('mod-sequence'), entry: { name, type } }
  }
  return { kind: 'modseq', modSeq: c.number64('mod-sequence') }
}
