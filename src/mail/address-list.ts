// RFC 5322 address lists (3.4 mailbox, name-addr, addr-spec, group; 3.2.2 comments; 3.2.4
// quoted strings; 3.4.1 domain literals; 4.4 obsolete routes, phrases and empty list members),
// with RFC 2047 encoded words in display names decoded alongside the raw form (RFC 2047 5(3)).
// Lenient, as real mail needs: never throws; a bare word is a local part without a domain;
// a comment stands in for a missing display name (what Dovecot reports in ENVELOPE).

import { decodeEncodedWords } from './encoded-words.ts'

export interface Mailbox {
  /** Display name as written: quoted strings unquoted, encoded words kept (raw). */
  name: string | null
  /** The display name with RFC 2047 encoded words decoded. */
  nameDecoded: string | null
  /** RFC 5322 4.4 obs-route, e.g. "@a.example,@b.example" (IMAP's "adl"). */
  route: string | null
  /** Local part, unquoted; null when absent. */
  localPart: string | null
  /** Domain as written (a domain literal keeps its brackets); null when absent. */
  domain: string | null
}

export type AddressListEntry =
  | { kind: 'mailbox'; mailbox: Mailbox }
  | { kind: 'group'; name: string; nameDecoded: string; members: Mailbox[] }

type TokenKind = 'atom' | 'quoted' | 'comment' | 'literal' | 'special'

interface Token {
  kind: TokenKind
  text: string
  /** Whether whitespace or a comment preceded this token. */
  spaced: boolean
}

const MAX_ENTRIES = 10_000
const SPECIALS = '()<>[]:;@\\,."'

/** RFC 5322 3.2.2: a comment (nesting, quoted-pairs) from its "("; returns [text, next]. */
function readComment(s: string, i: number): [string, number] {
  let depth = 0
  let out = ''
  for (; i < s.length; i++) {
    const c = s[i] ?? ''
    if (c === '\\' && i + 1 < s.length) out += s[++i] ?? ''
    else if (c === '(') {
      if (depth++ > 0) out += c
    } else if (c === ')') {
      if (--depth === 0) return [out, i + 1]
      out += c
    } else out += c
  }
  return [out, i]
}

/** RFC 5322 3.2.4: a quoted string from its opening quote; returns [content, next]. */
function readQuoted(s: string, i: number): [string, number] {
  let out = ''
  for (i++; i < s.length; i++) {
    const c = s[i] ?? ''
    if (c === '\\' && i + 1 < s.length) out += s[++i] ?? ''
    else if (c === '"') return [out, i + 1]
    else out += c
  }
  return [out, i]
}

/** RFC 5322 3.2: atoms, quoted strings, comments, domain literals and specials. */
function tokenize(s: string): Token[] {
  const out: Token[] = []
  let spaced = false
  let i = 0
  while (i < s.length) {
    const c = s[i] ?? ''
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      spaced = true
      i++
    } else if (c === '(') {
      const [text, next] = readComment(s, i)
      out.push({ kind: 'comment', text: text.replace(/\s+/g, ' ').trim(), spaced })
      spaced = true
      i = next
    } else if (c === '"') {
      const [text, next] = readQuoted(s, i)
      out.push({ kind: 'quoted', text: text.replace(/\r?\n/g, ''), spaced })
      spaced = false
      i = next
    } else if (c === '[') {
      const end = s.indexOf(']', i)
      const next = end < 0 ? s.length : end + 1
      out.push({ kind: 'literal', text: s.slice(i, next), spaced })
      spaced = false
      i = next
    } else if (SPECIALS.includes(c)) {
      out.push({ kind: 'special', text: c, spaced })
      spaced = false
      i++
    } else {
      let j = i
      while (j < s.length && !SPECIALS.includes(s[j] ?? '') && !/\s/.test(s[j] ?? '')) j++
      out.push({ kind: 'atom', text: s.slice(i, j), spaced })
      spaced = false
      i = j
    }
  }
  return out
}

function isSpecial(t: Token | undefined, c: string): boolean {
  return t?.kind === 'special' && t.text === c
}

/** A phrase (RFC 5322 3.2.5, obs-phrase 4.1): words joined where whitespace separated them. */
function phrase(tokens: Token[]): string | null {
  let out = ''
  for (const t of tokens) {
    if (t.kind === 'comment') continue
    if (out !== '' && t.spaced) out += ' '
    out += t.text
  }
  return out === '' ? null : out
}

/** Tokens joined without whitespace (dot-atoms, obs-local-part, domains). */
function joined(tokens: Token[]): string | null {
  const out = tokens
    .filter((t) => t.kind !== 'comment')
    .map((t) => t.text)
    .join('')
  return out === '' ? null : out
}

function addrSpec(tokens: Token[]): { localPart: string | null; domain: string | null } {
  let at = -1
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (isSpecial(tokens[i], '@')) {
      at = i
      break
    }
  }
  if (at < 0) return { localPart: joined(tokens), domain: null }
  return { localPart: joined(tokens.slice(0, at)), domain: joined(tokens.slice(at + 1)) }
}

function withName(name: string | null, rest: Omit<Mailbox, 'name' | 'nameDecoded'>): Mailbox {
  return { name, nameDecoded: name === null ? null : decodeEncodedWords(name), ...rest }
}

/** One mailbox from its tokens: name-addr (3.4) or addr-spec, with obs-route (4.4). */
function buildMailbox(tokens: Token[]): Mailbox | null {
  if (tokens.every((t) => t.kind === 'comment')) return null
  const lt = tokens.findIndex((t) => isSpecial(t, '<'))
  if (lt >= 0) {
    let gt = tokens.findIndex((t, i) => i > lt && isSpecial(t, '>'))
    if (gt < 0) gt = tokens.length
    let inner = tokens.slice(lt + 1, gt)
    let route: string | null = null // RFC 5322 4.4 obs-route: "<@a,@b:local@domain>"
    const colon = inner.findLastIndex((t) => isSpecial(t, ':'))
    if (colon >= 0 && isSpecial(inner[0], '@')) {
      route = joined(inner.slice(0, colon))
      inner = inner.slice(colon + 1)
    }
    const name = phrase(tokens.slice(0, lt))
    return withName(name ?? firstComment(tokens), { route, ...addrSpec(inner) })
  }
  const words = tokens.filter((t) => t.kind !== 'comment')
  if (!words.some((t) => isSpecial(t, '@')) && words.filter((t) => t.spaced).length > 0) {
    return withName(phrase(tokens), { route: null, localPart: null, domain: null })
  }
  return withName(firstComment(tokens), { route: null, ...addrSpec(tokens) })
}

function firstComment(tokens: Token[]): string | null {
  const c = tokens.find((t) => t.kind === 'comment' && t.text !== '')
  return c === undefined ? null : c.text
}

/** Parse an address-list or mailbox-list header value (From, To, Cc, Sender, ...). */
export function parseAddressList(text: string): AddressListEntry[] {
  const tokens = tokenize(text)
  const out: AddressListEntry[] = []
  let group: Extract<AddressListEntry, { kind: 'group' }> | null = null
  let current: Token[] = []
  let inAngle = false
  const endMailbox = (): void => {
    const m = buildMailbox(current)
    current = []
    if (m === null) return
    if (group !== null) group.members.push(m)
    else if (out.length < MAX_ENTRIES) out.push({ kind: 'mailbox', mailbox: m })
  }
  for (const t of tokens) {
    if (isSpecial(t, '<')) inAngle = true
    else if (isSpecial(t, '>')) inAngle = false
    if (t.kind !== 'special' || inAngle || (t.text !== ',' && t.text !== ';' && t.text !== ':')) {
      current.push(t)
      continue
    }
    if (t.text === ':') {
      if (current.some((c) => isSpecial(c, '<') || isSpecial(c, '@'))) {
        current.push(t) // not a group: e.g. "a@b:c"
        continue
      }
      group = null // RFC 5322 3.4: groups do not nest; close any open one
      const name = phrase(current) ?? ''
      current = []
      group = { kind: 'group', name, nameDecoded: decodeEncodedWords(name), members: [] }
      if (out.length < MAX_ENTRIES) out.push(group)
      continue
    }
    endMailbox()
    if (t.text === ';') group = null
  }
  endMailbox()
  return out
}

/** The addr-spec of a mailbox: "local@domain", or the local part alone without a domain. */
export function formatAddrSpec(m: Mailbox): string {
  const local = m.localPart ?? ''
  const quoted = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\u0080-\uffff-]*$/.test(local) // RFC 6532 3.2
    ? local
    : `"${local.replace(/(["\\])/g, '\\$1')}"`
  return m.domain === null ? quoted : `${quoted}@${m.domain}`
}
