// IMAP command reader (RFC 9051 2.2, 4.3 literals; RFC 7888 LITERAL+/LITERAL-; RFC 3516
// literal8), pure and pull-based like smtp/reader.ts: feed(chunk) buffers bytes and next()
// returns one input at a time: a complete command (its lines and literals, literals already
// read), a request to send a continuation, a raw line, or a limit error.
//
// Synchronising literals `{n}`: when a line ends with one, next() returns
// `continuation-needed` before any of its bytes are read. The session answers "+ Ready" and
// keeps calling next(), or refuses (tagged NO/BAD) and calls refuseLiteral(): the client then
// sends neither the literal nor the rest of the command (RFC 9051 7.5). A literal over
// maxLiteralBytes is refused by the reader itself (`literal-too-large`) before its bytes are
// read. Non-synchronising literals `{n+}` (RFC 7888) arrive without waiting: over the limit,
// or over 4096 octets without LITERAL+ (RFC 7888 4, LITERAL-), the reader reports the error
// at once and then reads and discards the literal and the rest of that command.
//
// Raw lines: after "+ idling" (IDLE, RFC 2177) or a SASL challenge (AUTHENTICATE, RFC 9051
// 6.2.2) the next line is not a command; the session calls expectRawLine() first.
//
// Memory: at most one line (maxLineBytes) plus one command's literals (maxCommandBytes) plus
// the unread part of the last chunk, when the session calls next() until it returns
// undefined after every feed(). Fed chunks are referenced, not copied, until returned.
// Timeouts are the session's (it owns the clock).

/** One literal of a command, read in full. `isBinary` for literal8 `~{n}` (RFC 3516 4.1). */
export interface RawLiteral {
  data: Buffer
  isBinary: boolean
}

/**
 * A line of a command (CRLF and literal marker removed) and the literal that followed it.
 * The last part of a command never has a literal.
 */
export interface RawPart {
  text: string
  literal?: RawLiteral
}

export interface RawCommand {
  /** The tag when the first line starts with a plausible one (RFC 9051 9 "tag"). */
  tag: string | undefined
  parts: RawPart[]
  /** Octets on the wire, CRLFs and literals included. */
  bytes: number
  /** Some line was not valid UTF-8 (decoded as latin1 instead); the parser refuses it. */
  hasInvalidUtf8: boolean
}

export type ImapInput =
  | { kind: 'command'; command: RawCommand }
  /** Send "+ ..." to receive the literal, or refuse and call refuseLiteral(). */
  | { kind: 'continuation-needed'; tag: string | undefined; size: number; isBinary: boolean }
  | { kind: 'raw-line'; line: string }
  | { kind: 'line-too-long'; tag: string | undefined }
  | { kind: 'literal-too-large'; tag: string | undefined; size: number; isSynchronizing: boolean }
  | { kind: 'command-too-large'; tag: string | undefined }

export interface ImapReaderOptions {
  /** Longest line, CRLF and literal marker included, literal data excluded. */
  maxLineBytes: number
  /** Largest single literal (the APPEND limit, RFC 7889, for a message). */
  maxLiteralBytes: number
  /** Largest command: all lines and literals together. */
  maxCommandBytes: number
  /** LITERAL+ advertised (RFC 7888 2); otherwise LITERAL- (4096-octet non-sync limit). */
  isLiteralPlus: boolean
}

/** RFC 7888 3: with LITERAL-, non-synchronising literals may be at most 4096 octets. */
export const LITERAL_MINUS_MAX_BYTES = 4096

const LF = 0x0a
const CR = 0x0d
const empty = Buffer.alloc(0)
const utf8 = new TextDecoder('utf-8', { fatal: true })
// RFC 9051 9: literal = "{" number64 ["+"] "}" CRLF; literal8 = "~{" number64 ["+"] "}" CRLF
const markerRe = /(~?)\{([0-9]{1,20})(\+?)\}$/
// RFC 9051 9: tag = 1*<any ASTRING-CHAR except "+">
// eslint-disable-next-line no-control-regex
const tagRe = /^([^\x00-\x20\x7f-\xff(){%*"\\+]+)(?: |$)/

type Marker = { size: number; isBinary: boolean; isSynchronizing: boolean; length: number }

function parseMarker(tail: string): Marker | undefined {
  const m = markerRe.exec(tail)
  if (m === null) return undefined
  return {
    size: Number(m[2]),
    isBinary: m[1] === '~',
    isSynchronizing: m[3] === '',
    length: m[0].length,
  }
}

export class ImapReader {
  readonly #opts: ImapReaderOptions
  #buf: Buffer = empty
  #pos = 0
  #scanFrom = 0
  #isRawLineNext = false
  // The command being collected.
  #parts: RawPart[] = []
  #tag: string | undefined = undefined
  #bytes = 0
  #hasInvalidUtf8 = false
  // A literal being read: octets left, pieces so far, its kind, and whether it is skipped.
  #literalLeft = -1
  #literalPieces: Buffer[] = []
  #literalIsBinary = false
  #lineText = ''
  // Skipping: the current over-long line (keep its tail), or the rest of a refused command.
  #isDiscardingLine = false
  #discardTail = ''
  #isDiscardingCommand = false

  constructor(opts: ImapReaderOptions) {
    this.#opts = { ...opts }
  }

  /** Bytes received and not yet consumed (for back-pressure decisions). */
  get bufferedBytes(): number {
    return this.#buf.length - this.#pos
  }

  /** Buffers a chunk; call next() until it returns undefined to consume it. */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return
    if (this.#pos >= this.#buf.length) {
      this.#buf = chunk
      this.#scanFrom = 0
    } else {
      this.#buf = Buffer.concat([this.#buf.subarray(this.#pos), chunk])
      this.#scanFrom = Math.max(0, this.#scanFrom - this.#pos)
    }
    this.#pos = 0
  }

  /** The next line is returned as `raw-line` (IDLE's DONE, a SASL response), then commands. */
  expectRawLine(): void {
    this.#isRawLineNext = true
  }

  /**
   * After `continuation-needed`, the session refused the literal (tagged NO/BAD): the client
   * sends neither the literal nor the rest of the command (RFC 9051 7.5), so drop it.
   */
  refuseLiteral(): void {
    if (this.#literalLeft < 0) return
    this.#literalLeft = -1
    this.#literalPieces = []
    this.#resetCommand()
  }

  /** The next complete input, or undefined when more bytes are needed. */
  next(): ImapInput | undefined {
    for (;;) {
      if (this.#literalLeft >= 0) {
        if (!this.#readLiteral()) return undefined
        continue
      }
      const line = this.#nextLine()
      if (line === undefined) return undefined
      if (line.kind === 'skip') continue
      return line
    }
  }

  /** Reads literal octets; true once the whole literal is in (or skipped). */
  #readLiteral(): boolean {
    const take = Math.min(this.#literalLeft, this.#buf.length - this.#pos)
    if (take > 0 && !this.#isDiscardingCommand) {
      this.#literalPieces.push(this.#buf.subarray(this.#pos, this.#pos + take))
    }
    this.#pos += take
    this.#literalLeft -= take
    if (this.#literalLeft > 0) return false
    this.#literalLeft = -1
    this.#scanFrom = this.#pos
    if (!this.#isDiscardingCommand) {
      const data = Buffer.concat(this.#literalPieces)
      this.#parts.push({ text: this.#lineText, literal: { data, isBinary: this.#literalIsBinary } })
    }
    this.#literalPieces = []
    return true
  }

  #nextLine(): ImapInput | { kind: 'skip' } | undefined {
    const buf = this.#buf
    const start = this.#pos
    const lf = buf.indexOf(LF, this.#scanFrom)
    if (lf === -1) {
      if (buf.length - start > this.#opts.maxLineBytes) this.#startDiscardingLine(start)
      else this.#scanFrom = buf.length
      return undefined
    }
    this.#pos = lf + 1
    this.#scanFrom = lf + 1
    // RFC 9051 2.2: lines end with CRLF; a bare LF is tolerated.
    const end = lf > start && buf[lf - 1] === CR ? lf - 1 : lf
    if (this.#isDiscardingLine) {
      this.#isDiscardingLine = false
      // The CR may have come in the previous chunk, so strip it from the joined tail.
      const tail = (this.#discardTail + buf.subarray(start, lf).toString('latin1')).replace(
        /\r$/,
        '',
      )
      this.#discardTail = ''
      if (this.#isRawLineNext) {
        this.#isRawLineNext = false // the over-long line was the raw line
        return { kind: 'line-too-long', tag: undefined }
      }
      if (!this.#isDiscardingCommand) {
        const tag = this.#tag
        this.#beginDiscardCommand(tail)
        return { kind: 'line-too-long', tag }
      }
      this.#continueDiscard(tail)
      return { kind: 'skip' }
    }
    if (this.#isRawLineNext) {
      this.#isRawLineNext = false
      if (lf + 1 - start > this.#opts.maxLineBytes) return { kind: 'line-too-long', tag: undefined }
      return { kind: 'raw-line', line: this.#decode(buf.subarray(start, end)) }
    }
    const bytes = buf.subarray(start, end)
    if (this.#isDiscardingCommand) {
      this.#continueDiscard(bytes.subarray(-32).toString('latin1'))
      return { kind: 'skip' }
    }
    return this.#commandLine(bytes, lf + 1 - start)
  }

  /** A whole line of a command (not discarded): ends the command or starts a literal. */
  #commandLine(bytes: Buffer, wireBytes: number): ImapInput | { kind: 'skip' } {
    if (this.#parts.length === 0 && bytes.length === 0) return { kind: 'skip' } // blank line
    const isFirst = this.#parts.length === 0
    const text = this.#decode(bytes)
    if (isFirst) this.#tag = tagRe.exec(text)?.[1]
    const tag = this.#tag
    if (wireBytes > this.#opts.maxLineBytes) {
      this.#beginDiscardCommand(text.slice(-32))
      return { kind: 'line-too-long', tag }
    }
    this.#bytes += wireBytes
    const marker = parseMarker(text.slice(-32))
    if (marker !== undefined) this.#bytes += marker.size
    if (this.#bytes > this.#opts.maxCommandBytes) {
      this.#beginDiscardCommand(text.slice(-32))
      return { kind: 'command-too-large', tag }
    }
    if (marker === undefined) {
      this.#parts.push({ text })
      const command: RawCommand = {
        tag: this.#tag,
        parts: this.#parts,
        bytes: this.#bytes,
        hasInvalidUtf8: this.#hasInvalidUtf8,
      }
      this.#resetCommand()
      return { kind: 'command', command }
    }
    const isTooLarge =
      marker.size > this.#opts.maxLiteralBytes ||
      (!marker.isSynchronizing &&
        !this.#opts.isLiteralPlus &&
        marker.size > LITERAL_MINUS_MAX_BYTES)
    if (isTooLarge) {
      this.#beginDiscardCommand(text.slice(-32))
      return {
        kind: 'literal-too-large',
        tag,
        size: marker.size,
        isSynchronizing: marker.isSynchronizing,
      }
    }
    this.#lineText = text.slice(0, text.length - marker.length)
    this.#literalLeft = marker.size
    this.#literalIsBinary = marker.isBinary
    if (!marker.isSynchronizing) return { kind: 'skip' }
    return {
      kind: 'continuation-needed',
      tag: this.#tag,
      size: marker.size,
      isBinary: marker.isBinary,
    }
  }

  #startDiscardingLine(start: number): void {
    // Keep the first bytes for the tag and the last ones for a possible literal marker.
    if (!this.#isDiscardingLine && !this.#isDiscardingCommand && this.#parts.length === 0) {
      this.#tag = tagRe.exec(this.#buf.subarray(start, start + 64).toString('latin1'))?.[1]
    }
    this.#isDiscardingLine = true
    this.#discardTail = (this.#discardTail + this.#buf.subarray(start).toString('latin1')).slice(
      -32,
    )
    this.#buf = empty
    this.#pos = 0
    this.#scanFrom = 0
  }

  /** Drops the command so far; skips what the client still sends of it (see #continueDiscard). */
  #beginDiscardCommand(lastLineTail: string): void {
    this.#parts = []
    this.#bytes = 0
    this.#isDiscardingCommand = true
    this.#continueDiscard(lastLineTail)
  }

  /**
   * A discarded line ended: a non-synchronising literal marker means its octets and another
   * line follow; otherwise the command is over (a synchronising literal is never sent,
   * since the client got its tagged response instead of a continuation).
   */
  #continueDiscard(lineTail: string): void {
    const marker = parseMarker(lineTail)
    if (marker !== undefined && !marker.isSynchronizing) {
      this.#literalLeft = marker.size
      return
    }
    this.#resetCommand()
  }

  #resetCommand(): void {
    this.#parts = []
    this.#tag = undefined
    this.#bytes = 0
    this.#hasInvalidUtf8 = false
    this.#isDiscardingCommand = false
    this.#lineText = ''
  }

  #decode(bytes: Buffer): string {
    try {
      return utf8.decode(bytes)
    } catch {
      this.#hasInvalidUtf8 = true
      return bytes.toString('latin1')
    }
  }
}
