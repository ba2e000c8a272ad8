// IMAP argument cursor (RFC 9051 9 formal syntax; RFC 3501 9): reads the arguments of one
// command, as the reader delivered it (lines with their literals), by grammar rule: atom,
// astring, string (quoted or literal), nstring, number, number64, sequence-set, flag,
// date, date-time, mailbox, parenthesised lists. Every rule either consumes its input and
// returns a value or throws ProtocolBad; the command modules in commands/ are built from it.

import { ProtocolBad } from './errors.ts'
import { decodeMailboxName } from './mailbox-name.ts'
import type { RawPart } from './reader.ts'
import { parseSequenceSet } from './sequence-set.ts'
import type { SequenceSet } from './sequence-set.ts'

/** A calendar date with no time or zone (RFC 9051 9 "date", used by SEARCH). */
export interface ImapDate {
  year: number
  month: number
  day: number
}

/** What the parser needs to know about the session (enabled extensions). */
export interface ParseContext {
  /** UTF8=ACCEPT (RFC 6855) or IMAP4rev2 (RFC 9051) enabled: mailbox names are UTF-8. */
  isUtf8Enabled: boolean
}

// RFC 9051 9: ATOM-CHAR = <any CHAR except atom-specials>; atom-specials = "(" / ")" / "{" /
// SP / CTL / list-wildcards / quoted-specials / resp-specials.
// eslint-disable-next-line no-control-regex
const ATOM_CHAR = /[^(){ %*"\\\]\x00-\x1f\x7f-\uffff]/
// eslint-disable-next-line no-control-regex
const ASTRING_CHAR = /[^(){ %*"\\\x00-\x1f\x7f-\uffff]/ // ATOM-CHAR / resp-specials
// eslint-disable-next-line no-control-regex
const LIST_CHAR = /[^(){ "\\\x00-\x1f\x7f-\uffff]/ // ATOM-CHAR / list-wildcards / resp-specials
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const MAX_NUMBER = 4294967295 // RFC 9051 9: number is a 32-bit unsigned value
const MAX_NUMBER64 = 9223372036854775807n // RFC 9051 9: number64 is a 63-bit value
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** RFC 9051 4.1 / RFC 3501 9: system flags, matched case-insensitively, canonical case. */
const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft', '\\Recent']

export class ArgCursor {
  readonly ctx: ParseContext
  /** Set by parseCommand for UID FETCH/SEARCH/...: numbers in the command are UIDs. */
  isUid = false
  readonly #parts: readonly RawPart[]
  #part = 0
  #pos = 0

  constructor(parts: readonly RawPart[], ctx: ParseContext, start = 0) {
    this.#parts = parts
    this.ctx = ctx
    this.#pos = start
  }

  get #text(): string {
    return this.#parts[this.#part]?.text ?? ''
  }

  /** The next character of the current line, or undefined at its end (or before a literal). */
  peek(): string | undefined {
    const t = this.#text
    return this.#pos < t.length ? t.charAt(this.#pos) : undefined
  }

  /** True when a literal is the next thing to read. */
  isLiteralNext(): boolean {
    return this.#pos >= this.#text.length && this.#parts[this.#part]?.literal !== undefined
  }

  /** True when every argument has been read. */
  isAtEnd(): boolean {
    return this.#pos >= this.#text.length && this.#part >= this.#parts.length - 1
  }

  /** Throws unless every argument has been read (RFC 9051 9: command ends in CRLF). */
  expectEnd(): void {
    if (!this.isAtEnd()) throw this.bad('unexpected extra arguments')
  }

  bad(text: string): ProtocolBad {
    return new ProtocolBad(text)
  }

  /** Consumes `s` (ASCII, case-insensitive) if it comes next; returns whether it did. */
  take(s: string): boolean {
    const t = this.#text
    if (t.length - this.#pos < s.length) return false
    if (t.slice(this.#pos, this.#pos + s.length).toUpperCase() !== s.toUpperCase()) return false
    this.#pos += s.length
    return true
  }

  /** Steps back n characters on the current line (after a look-ahead). */
  unread(n: number): void {
    this.#pos = Math.max(0, this.#pos - n)
  }

  /** Consumes `s` or throws. */
  expect(s: string, what = `"${s}"`): void {
    if (!this.take(s)) throw this.bad(`expected ${what}`)
  }

  /** RFC 9051 9: SP, exactly one space. */
  sp(): void {
    this.expect(' ', 'space')
  }

  /** Reads a run of characters matching `re` (one char each); throws if empty. */
  #run(re: RegExp, what: string): string {
    const t = this.#text
    const start = this.#pos
    while (this.#pos < t.length && re.test(t.charAt(this.#pos))) this.#pos++
    if (this.#pos === start) throw this.bad(`expected ${what}`)
    return t.slice(start, this.#pos)
  }

  /** RFC 9051 9: atom = 1*ATOM-CHAR. Case is kept. */
  atom(what = 'atom'): string {
    return this.#run(ATOM_CHAR, what)
  }

  /** An atom, upper-cased (keywords: command names, fetch items, search keys). */
  keyword(what = 'keyword'): string {
    return this.atom(what).toUpperCase()
  }

  /** Reads characters up to (not including) one of `stops` or the end of line. */
  until(stops: string): string {
    const t = this.#text
    const start = this.#pos
    while (this.#pos < t.length && !stops.includes(t.charAt(this.#pos))) this.#pos++
    return t.slice(start, this.#pos)
  }

  /** RFC 9051 9: astring = 1*ASTRING-CHAR / string. */
  astring(what = 'string'): string {
    const c = this.peek()
    if (c === '"' || this.isLiteralNext()) return this.string(what)
    return this.#run(ASTRING_CHAR, what)
  }

  /** RFC 9051 9: string = quoted / literal, as text (literal octets decoded as UTF-8). */
  string(what = 'string'): string {
    if (this.isLiteralNext()) return decodeText(this.literal().data)
    if (this.peek() === '"') return this.#quoted()
    throw this.bad(`expected ${what}`)
  }

  /** A string as octets: a literal's bytes as sent, a quoted string as UTF-8. */
  stringBytes(what = 'string'): Buffer {
    if (this.isLiteralNext()) return this.literal().data
    return Buffer.from(this.string(what), 'utf8')
  }

  /** RFC 9051 9: nstring = string / nil. */
  nstring(): string | null {
    if (this.peek() !== '"' && !this.isLiteralNext()) {
      this.expect('NIL', 'string or NIL')
      return null
    }
    return this.string()
  }

  /** RFC 9051 9: literal / literal8; the next line becomes current. */
  literal(): { data: Buffer; isBinary: boolean } {
    const lit = this.isLiteralNext() ? this.#parts[this.#part]?.literal : undefined
    if (lit === undefined) throw this.bad('expected literal')
    this.#part++
    this.#pos = 0
    return lit
  }

  /** RFC 9051 9: quoted = DQUOTE *QUOTED-CHAR DQUOTE; only \" and \\ are escapes. */
  #quoted(): string {
    const t = this.#text
    let i = this.#pos + 1
    let out = ''
    for (;;) {
      const c = t.charAt(i)
      if (c === '') throw this.bad('unterminated quoted string')
      if (c === '"') break
      if (c === '\r' || c === '\n' || c === '\0') throw this.bad('bad character in quoted string')
      if (c === '\\') {
        const e = t.charAt(i + 1)
        if (e !== '"' && e !== '\\') throw this.bad('bad escape in quoted string')
        out += e
        i += 2
        continue
      }
      out += c
      i++
    }
    this.#pos = i + 1
    return out
  }

  /** RFC 9051 9: number (32-bit unsigned). */
  number(what = 'number'): number {
    const s = this.#run(/[0-9]/, what)
    const n = Number(s)
    if (s.length > 10 || n > MAX_NUMBER) throw this.bad(`${what} out of range`)
    return n
  }

  /** RFC 9051 9: nz-number. */
  nzNumber(what = 'number'): number {
    const n = this.number(what)
    if (n === 0) throw this.bad(`${what} must not be zero`)
    return n
  }

  /** RFC 9051 9: number64 (63-bit; mod-sequence-value, RFC 7162 7, is the same range). */
  number64(what = 'number'): bigint {
    const s = this.#run(/[0-9]/, what)
    if (s.length > 19 || BigInt(s) > MAX_NUMBER64) throw this.bad(`${what} out of range`)
    return BigInt(s)
  }

  /** RFC 9051 9: sequence-set, including "$" (RFC 5182). */
  sequenceSet(): SequenceSet {
    return parseSequenceSet(this.#run(/[0-9:*,$]/, 'sequence set'))
  }

  /** RFC 9051 9: mailbox = "INBOX" / astring; decoded and INBOX-normalised. */
  mailbox(): string {
    return decodeMailboxName(this.astring('mailbox name'), this.ctx.isUtf8Enabled)
  }

  /**
   * RFC 9051 9: flag = "\Answered" / ... / flag-keyword / flag-extension. System flags get
   * their canonical case. `\*` is not a flag (it only appears in PERMANENTFLAGS).
   */
  flag(): string {
    if (this.take('\\')) {
      const name = '\\' + this.atom('flag')
      return SYSTEM_FLAGS.find((f) => f.toUpperCase() === name.toUpperCase()) ?? name
    }
    return this.atom('flag')
  }

  /** RFC 9051 9: flag-list = "(" [flag *(SP flag)] ")". */
  flagList(): string[] {
    return this.list(() => this.flag(), { allowEmpty: true })
  }

  /** "(" item *(SP item) ")", empty only if allowed. */
  list<T>(item: () => T, opts: { allowEmpty: boolean }): T[] {
    this.expect('(')
    const out: T[] = []
    if (this.take(')')) {
      if (!opts.allowEmpty) throw this.bad('empty list')
      return out
    }
    for (;;) {
      out.push(item())
      if (this.take(')')) return out
      this.sp()
    }
  }

  /** RFC 9051 9: date = date-text / DQUOTE date-text DQUOTE; date-text = d-Mon-yyyy. */
  date(): ImapDate {
    const isQuoted = this.take('"')
    const day = Number(this.#run(/[0-9]/, 'day'))
    this.expect('-')
    const month = this.#month()
    this.expect('-')
    const year = this.#year()
    if (isQuoted) this.expect('"')
    return checkDate({ year, month, day })
  }

  /** RFC 9051 9: date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE. */
  dateTime(): Date {
    this.expect('"', 'date-time')
    // date-day-fixed = (SP DIGIT) / 2DIGIT; a lone digit without the space is tolerated.
    const isPadded = this.take(' ')
    const dd = this.#run(/[0-9]/, 'day')
    if (dd.length > 2 || (isPadded && dd.length !== 1)) throw this.bad('bad day')
    this.expect('-')
    const month = this.#month()
    this.expect('-')
    const year = this.#year()
    this.sp()
    const time = /^([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})"/.exec(
      this.#text.slice(this.#pos, this.#pos + 16),
    )
    if (time === null) throw this.bad('bad time or zone in date-time')
    this.#pos += time[0].length
    const [h, m, s, zh, zm] = [time[1], time[2], time[3], time[5], time[6]].map(Number)
    const date = checkDate({ year, month, day: Number(dd) })
    if (h === undefined || m === undefined || s === undefined || zh === undefined) {
      throw this.bad('bad time')
    }
    if (h > 23 || m > 59 || s > 60 || zh > 23 || (zm ?? 0) > 59) throw this.bad('bad time')
    const offsetMin = (time[4] === '-' ? -1 : 1) * (zh * 60 + (zm ?? 0))
    const utc = Date.UTC(date.year, date.month - 1, date.day, h, m, Math.min(s, 59))
    return new Date(utc - offsetMin * 60_000)
  }

  #month(): number {
    const i = MONTHS.indexOf(this.#run(/[A-Za-z]/, 'month').toUpperCase())
    if (i < 0) throw this.bad('bad month')
    return i + 1
  }

  #year(): number {
    const y = this.#run(/[0-9]/, 'year')
    if (y.length !== 4) throw this.bad('bad year')
    return Number(y)
  }

  /** RFC 5258 / RFC 9051 9: list-mailbox = 1*list-char / string (a LIST pattern). */
  listMailbox(): string {
    if (this.peek() === '"' || this.isLiteralNext()) return this.string('mailbox pattern')
    return this.#run(LIST_CHAR, 'mailbox pattern')
  }
}

function checkDate(d: ImapDate): ImapDate {
  const probe = new Date(Date.UTC(d.year, d.month - 1, d.day))
  if (d.day < 1 || probe.getUTCDate() !== d.day) throw new ProtocolBad('bad date')
  return d
}

/** Literal octets as text: UTF-8, or latin1 when not valid UTF-8. */
export function decodeText(bytes: Buffer): string {
  try {
    return utf8.decode(bytes)
  } catch {
    return bytes.toString('latin1')
  }
}
