// IMAP response builder (RFC 9051 7, 9 "response"; RFC 3501 7): tokens that choose their own
// wire encoding, response lines (untagged, tagged status, continuation) with response codes,
// and a serialiser that writes them into a sink with back-pressure, streaming large literals
// (FETCH bodies) chunk by chunk instead of holding them in memory. Handlers never build
// wire strings by hand:
//
//   await writeResponse(sink, untagged(num(3), atom('FETCH'), list([atom('UID'), num(7),
//     atom('BODY[]'), literalStream(size, chunks)])))
//   await writeResponse(sink, tagged('A1', 'OK', 'FETCH completed'))
//   encodeResponse(tagged('A2', 'NO', 'no such mailbox', code.tryCreate))  // a Buffer
//
// str() picks quoted or literal (RFC 9051 4.3): quoted for short clean text, a literal for
// CR/LF, 8-bit text unless UTF-8 is enabled (RFC 6855 3 / RFC 9051 4.3), long or
// quote-heavy text, and a literal8 (RFC 3516 4.2) for text containing NUL.

import { encodeMailboxName } from './mailbox-name.ts'

export type Token =
  /** Written verbatim: keywords, flags, FETCH item names, sequence sets. */
  | { kind: 'atom'; value: string }
  | { kind: 'number'; value: number | bigint }
  | { kind: 'string'; value: string | Buffer; isUtf8: boolean }
  | { kind: 'nil' }
  | { kind: 'list'; items: readonly Token[] }
  | { kind: 'literal'; data: Buffer; isBinary: boolean }
  | { kind: 'literal-stream'; size: number; chunks: AsyncIterable<Buffer>; isBinary: boolean }

/** A response code (RFC 9051 7.1): `[NAME args...]`. */
export interface ResponseCode {
  name: string
  args?: readonly Token[]
}

/** One response line: its tokens, joined by single spaces and ended with CRLF. */
export type ResponseLine = readonly Token[]

/** Where responses are written (a socket adapter): write returns false when it is full. */
export interface ResponseSink {
  write(buf: Buffer): boolean
  waitDrain(): Promise<void>
}

export type StatusName = 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH'

const QUOTED_MAX_CHARS = 1024 // longer text goes as a literal
const CRLF = '\r\n'
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

// ---- tokens ----

export function atom(value: string): Token {
  return { kind: 'atom', value }
}

export function num(value: number | bigint): Token {
  return { kind: 'number', value }
}

/** A string, quoted or literal by content; `isUtf8` once UTF-8 is enabled (RFC 6855 3). */
export function str(value: string | Buffer, opts: { isUtf8?: boolean } = {}): Token {
  return { kind: 'string', value, isUtf8: opts.isUtf8 ?? false }
}

/** RFC 9051 9: nstring: NIL for null. */
export function nstr(value: string | Buffer | null, opts: { isUtf8?: boolean } = {}): Token {
  return value === null ? nil : str(value, opts)
}

export const nil: Token = { kind: 'nil' }

export function list(items: readonly Token[]): Token {
  return { kind: 'list', items }
}

/** A literal of these exact octets; `isBinary` for literal8 `~{n}` (RFC 3516 4.2). */
export function literal(data: Buffer, opts: { isBinary?: boolean } = {}): Token {
  return { kind: 'literal', data, isBinary: opts.isBinary ?? false }
}

/**
 * A literal whose octets come from `chunks` as the response is written. `size` is sent
 * first, so the chunks must add up to exactly that many octets; otherwise writeResponse
 * throws after writing (the connection is then unusable and must be closed).
 */
export function literalStream(
  size: number,
  chunks: AsyncIterable<Buffer>,
  opts: { isBinary?: boolean } = {},
): Token {
  return { kind: 'literal-stream', size, chunks, isBinary: opts.isBinary ?? false }
}

/** A mailbox name: modified UTF-7 unless UTF-8 is enabled (RFC 3501 5.1.3, RFC 6855 3). */
export function mailbox(name: string, opts: { isUtf8?: boolean } = {}): Token {
  const isUtf8 = opts.isUtf8 ?? false
  return str(encodeMailboxName(name, isUtf8), { isUtf8 })
}

// ---- lines ----

/** `* tokens` (RFC 9051 7: untagged data, e.g. `* 3 EXISTS`). */
export function untagged(...tokens: Token[]): ResponseLine {
  return [atom('*'), ...tokens]
}

/** `tag OK [code] text` (RFC 9051 7.1); tag "*" gives an untagged status (`* OK [UIDNEXT 4]`). */
export function status(
  tag: string,
  name: StatusName,
  text: string,
  responseCode?: ResponseCode | string,
): ResponseLine {
  const tokens: Token[] = [atom(tag), atom(name)]
  if (responseCode !== undefined) tokens.push(atom(formatCode(responseCode)))
  tokens.push(atom(cleanText(text)))
  return tokens
}

/** A tagged completion (RFC 9051 7.1). */
export function tagged(
  tag: string,
  name: 'OK' | 'NO' | 'BAD',
  text: string,
  responseCode?: ResponseCode | string,
): ResponseLine {
  return status(tag, name, text, responseCode)
}

/** RFC 9051 7.5: `+ text`, the command continuation request. */
export function continuation(text = 'Ready'): ResponseLine {
  return [atom('+'), atom(cleanText(text))]
}

/** RFC 9051 6.2.2: a SASL challenge, `+ base64` (`+ ` alone for an empty one). */
export function continuationBase64(challenge: Buffer): ResponseLine {
  return [atom('+'), atom(challenge.toString('base64'))]
}

/** RFC 9051 9: text = 1*TEXT-CHAR: no CR or LF, never empty. */
function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim()
  return clean === '' ? 'done' : clean
}

/** `[NAME args]` for a response code. */
export function formatCode(c: ResponseCode | string): string {
  if (typeof c === 'string') return `[${c}]`
  if (c.args === undefined || c.args.length === 0) return `[${c.name}]`
  return `[${c.name} ${c.args.map((t) => encodeSimple(t)).join(' ')}]`
}

/** Response codes (RFC 9051 7.1 and the extensions named beside each). */
export const code = {
  alert: 'ALERT',
  alreadyExists: 'ALREADYEXISTS',
  authenticationFailed: 'AUTHENTICATIONFAILED',
  authorizationFailed: 'AUTHORIZATIONFAILED',
  cannot: 'CANNOT',
  clientBug: 'CLIENTBUG',
  closed: 'CLOSED', // RFC 7162 3.2.11
  contactAdmin: 'CONTACTADMIN',
  expungeIssued: 'EXPUNGEISSUED',
  hasChildren: 'HASCHILDREN',
  inUse: 'INUSE',
  limit: 'LIMIT',
  noModSeq: 'NOMODSEQ', // RFC 7162 3.1.2.2
  nonExistent: 'NONEXISTENT',
  noPerm: 'NOPERM',
  overQuota: 'OVERQUOTA',
  parse: 'PARSE',
  privacyRequired: 'PRIVACYREQUIRED',
  readOnly: 'READ-ONLY',
  readWrite: 'READ-WRITE',
  serverBug: 'SERVERBUG',
  tooBig: 'TOOBIG', // RFC 7888 4, RFC 4469
  tryCreate: 'TRYCREATE',
  unavailable: 'UNAVAILABLE',
  useAttr: 'USEATTR', // RFC 6154 3
  uidNext: (n: number): ResponseCode => ({ name: 'UIDNEXT', args: [num(n)] }),
  uidValidity: (n: number): ResponseCode => ({ name: 'UIDVALIDITY', args: [num(n)] }),
  unseen: (n: number): ResponseCode => ({ name: 'UNSEEN', args: [num(n)] }),
  highestModSeq: (n: bigint | number): ResponseCode => ({ name: 'HIGHESTMODSEQ', args: [num(n)] }),
  permanentFlags: (flags: readonly string[]): ResponseCode => ({
    name: 'PERMANENTFLAGS',
    args: [list(flags.map(atom))],
  }),
  capability: (caps: readonly string[]): ResponseCode => ({
    name: 'CAPABILITY',
    args: caps.map(atom),
  }),
  badCharset: (charsets: readonly string[]): ResponseCode => ({
    name: 'BADCHARSET',
    args: charsets.length === 0 ? [] : [list(charsets.map((c) => str(c)))],
  }),
  /** RFC 4315 3: `[APPENDUID uidvalidity uid-set]`; uids as formatted by formatSequenceSet. */
  appendUid: (uidValidity: number, uids: string): ResponseCode => ({
    name: 'APPENDUID',
    args: [num(uidValidity), atom(uids)],
  }),
  /** RFC 4315 3: `[COPYUID uidvalidity source-uids dest-uids]`, in corresponding order. */
  copyUid: (uidValidity: number, from: string, to: string): ResponseCode => ({
    name: 'COPYUID',
    args: [num(uidValidity), atom(from), atom(to)],
  }),
  /** RFC 7162 3.1.3: `[MODIFIED set]`, the messages STORE UNCHANGEDSINCE did not change. */
  modified: (set: string): ResponseCode => ({ name: 'MODIFIED', args: [atom(set)] }),
} as const

// ---- serialising ----

/** Encodes a line without streamed literals to bytes; throws if it has a literalStream. */
export function encodeResponse(line: ResponseLine): Buffer {
  const out: Buffer[] = []
  let text = ''
  for (const piece of pieces(line)) {
    if (typeof piece === 'string') text += piece
    else if (Buffer.isBuffer(piece)) {
      out.push(Buffer.from(text, 'utf8'), piece)
      text = ''
    } else throw new Error('encodeResponse: literalStream needs writeResponse')
  }
  out.push(Buffer.from(text + CRLF, 'utf8'))
  return Buffer.concat(out)
}

/**
 * Writes a line to the sink, waiting for drain whenever write() returns false, and pulling
 * streamed literal chunks only as the sink accepts them.
 */
export async function writeResponse(sink: ResponseSink, line: ResponseLine): Promise<void> {
  let text = ''
  const flush = async (buf: Buffer): Promise<void> => {
    if (buf.length > 0 && !sink.write(buf)) await sink.waitDrain()
  }
  for (const piece of pieces(line)) {
    if (typeof piece === 'string') {
      text += piece
      continue
    }
    await flush(Buffer.from(text, 'utf8'))
    text = ''
    if (Buffer.isBuffer(piece)) {
      await flush(piece)
      continue
    }
    let sent = 0
    for await (const chunk of piece.chunks) {
      sent += chunk.length
      if (sent > piece.size) throw new Error('literalStream: more octets than its size')
      await flush(chunk)
    }
    if (sent !== piece.size) throw new Error('literalStream: fewer octets than its size')
  }
  await flush(Buffer.from(text + CRLF, 'utf8'))
}

type StreamPiece = Extract<Token, { kind: 'literal-stream' }>

/** The line as text pieces, literal octets and streams, in order. */
function* pieces(line: ResponseLine): Generator<string | Buffer | StreamPiece> {
  let isFirst = true
  for (const token of line) {
    if (!isFirst) yield ' '
    isFirst = false
    yield* tokenPieces(token)
  }
}

function* tokenPieces(token: Token): Generator<string | Buffer | StreamPiece> {
  switch (token.kind) {
    case 'list': {
      yield '('
      let isFirst = true
      for (const item of token.items) {
        if (!isFirst) yield ' '
        isFirst = false
        yield* tokenPieces(item)
      }
      yield ')'
      return
    }
    case 'literal':
      yield literalHeader(token.data.length, token.isBinary)
      yield token.data
      return
    case 'literal-stream':
      yield literalHeader(token.size, token.isBinary)
      yield token
      return
    case 'string': {
      const quoted = quoteIfPossible(token.value, token.isUtf8)
      if (quoted !== undefined) {
        yield quoted
        return
      }
      const data = Buffer.isBuffer(token.value) ? token.value : Buffer.from(token.value, 'utf8')
      yield literalHeader(data.length, data.includes(0))
      yield data
      return
    }
    case 'atom':
    case 'number':
    case 'nil':
      yield encodeSimple(token)
  }
}

/** RFC 9051 9: literal = "{" number64 "}" CRLF; literal8 = "~{" number64 "}" CRLF. */
function literalHeader(size: number, isBinary: boolean): string {
  return `${isBinary ? '~' : ''}{${size}}${CRLF}`
}

/** Tokens that are always one piece of text (used inside response codes). */
function encodeSimple(token: Token): string {
  switch (token.kind) {
    case 'atom':
      return token.value
    case 'number':
      return String(token.value)
    case 'nil':
      return 'NIL'
    case 'list':
      return `(${token.items.map(encodeSimple).join(' ')})`
    case 'string': {
      const quoted = quoteIfPossible(token.value, token.isUtf8)
      if (quoted === undefined) throw new Error('response code argument needs a literal')
      return quoted
    }
    case 'literal':
    case 'literal-stream':
      throw new Error('response code argument cannot be a literal')
  }
}

/**
 * RFC 9051 9: quoted = DQUOTE *QUOTED-CHAR DQUOTE: TEXT-CHAR (7-bit, no CR/LF/NUL) with
 * `"` and `\` escaped, plus UTF-8 when enabled. Undefined when a literal is better.
 */
export function quoteIfPossible(value: string | Buffer, isUtf8: boolean): string | undefined {
  let s: string
  if (Buffer.isBuffer(value)) {
    if (!isUtf8 && value.some((b) => b >= 0x80)) return undefined
    try {
      s = strictUtf8.decode(value)
    } catch {
      return undefined // not valid UTF-8: only a literal carries it unchanged
    }
  } else s = value
  if (s.length > QUOTED_MAX_CHARS) return undefined
  let specials = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0 || c === 0x0a || c === 0x0d) return undefined
    if (c >= 0x80 && !isUtf8) return undefined
    if (c === 0x22 || c === 0x5c) specials++
  }
  if (specials > 8 && specials * 4 > s.length) return undefined // quote-heavy: literal reads better
  return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
}
