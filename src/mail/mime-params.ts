// MIME header values with parameters: Content-Type (RFC 2045 5.1, defaults 5.2) and
// Content-Disposition (RFC 2183 2), with RFC 2231 parameter continuations (3), charset and
// language (4). Comments are allowed between tokens (RFC 2045 5.1 via RFC 822 CFWS). Lenient
// with real-world mail: unquoted values with spaces, missing ";", unterminated quotes.

import { decodeCharset } from './encoded-words.ts'

export interface MimeParam {
  /** Lower-cased attribute name, without any RFC 2231 "*n" / "*" suffix. */
  name: string
  /** The value, continuations joined and RFC 2231 charset-decoded. */
  value: string
  /** RFC 2231 4: the charset and language of an extended value; null for plain values. */
  charset: string | null
  language: string | null
  /**
   * RFC 2231 extended value with continuations joined but still percent-encoded
   * (`charset'lang'%E2%82%AC`), as Dovecot reports it in BODYSTRUCTURE as `name*`; null for
   * plain values.
   */
  extended: string | null
}

export interface ContentType {
  /** Lower-cased media type and subtype (RFC 2045 5.1: case-insensitive). */
  type: string
  subtype: string
  params: MimeParam[]
}

export interface Disposition {
  /** Lower-cased disposition type (RFC 2183 2: "inline", "attachment", ...). */
  value: string
  params: MimeParam[]
}

const TSPECIALS = '()<>@,;:\\"/[]?='

function isTokenChar(c: string): boolean {
  return c > ' ' && c !== '\x7f' && !TSPECIALS.includes(c)
}

class Cursor {
  pos = 0
  readonly s: string
  constructor(s: string) {
    this.s = s
  }
  /** Skip whitespace and (nested) comments. */
  skipCfws(): void {
    const s = this.s
    while (this.pos < s.length) {
      const c = s[this.pos]
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.pos++
      else if (c === '(') {
        let depth = 0
        for (; this.pos < s.length; this.pos++) {
          const d = s[this.pos]
          if (d === '\\') this.pos++
          else if (d === '(') depth++
          else if (d === ')' && --depth === 0) break
        }
        this.pos++
      } else return
    }
  }
  token(): string {
    const start = this.pos
    while (this.pos < this.s.length && isTokenChar(this.s[this.pos] ?? '')) this.pos++
    return this.s.slice(start, this.pos)
  }
  /** Quoted string at pos (RFC 5322 3.2.4); unterminated strings run to the end. */
  quoted(): string {
    let out = ''
    for (this.pos++; this.pos < this.s.length; this.pos++) {
      const c = this.s[this.pos] ?? ''
      if (c === '"') {
        this.pos++
        break
      }
      if (c === '\\' && this.pos + 1 < this.s.length) out += this.s[++this.pos] ?? ''
      else if (c !== '\r' && c !== '\n') out += c
    }
    return out
  }
  peek(): string {
    return this.s[this.pos] ?? ''
  }
}

interface RawParam {
  name: string
  section: number | null
  encoded: boolean
  value: string
}

function readValue(cur: Cursor): string {
  cur.skipCfws()
  if (cur.peek() === '"') return cur.quoted()
  // Lenient: an unquoted value runs to the next ";" (real mail has `name=a b.txt`), unless
  // what follows whitespace is another `attr=` (a missing ";", as in RFC 2046's examples).
  const start = cur.pos
  const s = cur.s
  while (cur.pos < s.length && cur.peek() !== ';') {
    if (/\s/.test(cur.peek()) && /^\s+[^\s;=()"]+\s*=/.test(s.slice(cur.pos, cur.pos + 200))) break
    cur.pos++
  }
  return s
    .slice(start, cur.pos)
    .replace(/\([^()]*\)\s*$/, '')
    .trim()
}

function readRawParams(cur: Cursor): RawParam[] {
  const out: RawParam[] = []
  while (cur.pos < cur.s.length && out.length < 1000) {
    cur.skipCfws()
    if (cur.peek() === ';') {
      cur.pos++
      continue
    }
    const attr = cur.token()
    cur.skipCfws()
    if (attr === '' || cur.peek() !== '=') {
      while (cur.pos < cur.s.length && cur.peek() !== ';') cur.pos++ // skip junk
      continue
    }
    cur.pos++
    const value = readValue(cur)
    const m = /^(.*?)\*(\d+)?(\*)?$/.exec(attr) // RFC 2231 3, 4: name*0, name*0*, name*
    if (m === null) out.push({ name: attr.toLowerCase(), section: null, encoded: false, value })
    else {
      const section = m[2] === undefined ? null : Number(m[2])
      const encoded = m[2] === undefined ? true : m[3] !== undefined
      out.push({ name: (m[1] ?? '').toLowerCase(), section, encoded, value })
    }
  }
  return out
}

function percentBytes(s: string): Buffer {
  const bytes: number[] = []
  for (let i = 0; i < s.length; i++) {
    const hex = s.slice(i + 1, i + 3)
    if (s[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      i += 2
    } else bytes.push(...Buffer.from(s[i] ?? '', 'utf8'))
  }
  return Buffer.from(bytes)
}

/** RFC 2231 3-4: join the sections of one parameter and decode its charset. */
function assemble(name: string, parts: RawParam[]): MimeParam {
  const plain = parts.find((p) => p.section === null && !p.encoded)
  const ext = parts.filter((p) => p.section !== null || p.encoded)
  if (ext.length === 0) {
    return { name, value: plain?.value ?? '', charset: null, language: null, extended: null }
  }
  ext.sort((a, b) => (a.section ?? 0) - (b.section ?? 0))
  let charset: string | null = null
  let language: string | null = null
  const first = ext[0]
  if (first?.encoded === true) {
    const m = /^([^']*)'([^']*)'(.*)$/s.exec(first.value) // RFC 2231 4: charset'lang'value
    if (m !== null) {
      charset = m[1] ?? ''
      language = m[2] === '' ? null : (m[2] ?? null)
      first.value = m[3] ?? ''
    }
  }
  const bytes: Buffer[] = []
  let encodedForm = ''
  for (const p of ext) {
    bytes.push(p.encoded ? percentBytes(p.value) : Buffer.from(p.value, 'utf8'))
    encodedForm += p.encoded ? p.value : encodeURIComponent(p.value).replace(/'/g, '%27')
  }
  const joined = Buffer.concat(bytes)
  const value = decodeCharset(joined, charset === null || charset === '' ? 'utf-8' : charset)
  const isExtended = charset !== null
  return {
    name,
    value,
    charset: isExtended ? charset : null,
    language,
    extended: isExtended ? `${charset ?? ''}'${language ?? ''}'${encodedForm}` : null,
  }
}

/** Parse `; name=value ...` parameters (RFC 2045 5.1) with RFC 2231 continuations. */
export function parseParams(text: string): MimeParam[] {
  const groups = new Map<string, RawParam[]>()
  for (const p of readRawParams(new Cursor(text))) {
    const g = groups.get(p.name)
    if (g === undefined) groups.set(p.name, [p])
    else if (!g.some((q) => q.section === p.section && q.encoded === p.encoded)) g.push(p)
  }
  return [...groups].map(([name, parts]) => assemble(name, parts))
}

/** Parse a Content-Type value; undefined when it is not `type/subtype` (RFC 2045 5.2). */
export function parseContentType(value: string): ContentType | undefined {
  const cur = new Cursor(value)
  cur.skipCfws()
  const type = cur.token().toLowerCase()
  cur.skipCfws()
  if (type === '' || cur.peek() !== '/') return undefined
  cur.pos++
  cur.skipCfws()
  const subtype = cur.token().toLowerCase()
  if (subtype === '') return undefined
  return { type, subtype, params: parseParams(value.slice(cur.pos)) }
}

/** Parse a Content-Disposition value (RFC 2183 2); undefined when there is no type token. */
export function parseDisposition(value: string): Disposition | undefined {
  const cur = new Cursor(value)
  cur.skipCfws()
  const type = cur.token().toLowerCase()
  if (type === '') return undefined
  return { value: type, params: parseParams(value.slice(cur.pos)) }
}

/** The first parameter with this (lower-case) name. */
export function paramValue(params: readonly MimeParam[], name: string): string | undefined {
  return params.find((p) => p.name === name)?.value
}
