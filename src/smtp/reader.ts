// SMTP input reader (RFC 5321 2.3.8, 4.1.1.4, 4.5.2, 4.5.3.1; RFC 3030 BDAT), pure and
// pull-based: feed(chunk) buffers bytes and next() returns one input at a time, read in the
// mode the session chose (command lines, DATA, or a BDAT chunk), so a pipelined command and
// the data after it can arrive in one packet and the session still switches mode in between.
//
// SMTP smuggling: only CRLF "." CRLF ends DATA. The data starts as if preceded by CRLF. A
// bare CR or bare LF never starts a line, never ends DATA and never causes dot-unstuffing;
// whether one was seen is reported with the message.
//
// Memory: the reader holds at most one partial command line (up to maxLineBytes) or one
// message (up to maxMessageBytes) plus the unread part of the last chunk, provided the
// session calls next() until it returns undefined after every feed(). Over a limit it
// discards and keeps reading until the end of the line or message, then reports it once.
// Fed chunks are referenced (not copied) until the message they belong to is returned.

export type SmtpInput =
  | { kind: 'line'; line: string }
  | { kind: 'line-too-long' }
  | { kind: 'data'; body: Buffer; bareLineEnds: boolean }
  | { kind: 'data-too-large' }
  | { kind: 'bdat-chunk'; body: Buffer; last: boolean }
  | { kind: 'bdat-too-large' }

export interface SmtpReaderOptions {
  /** Longest command line, CRLF included (RFC 5321 4.5.3.1.4: at least 512). */
  maxLineBytes: number
  /** Largest message after dot-unstuffing; BDAT chunks add up until resetMessage(). */
  maxMessageBytes: number
}

export type SmtpReaderMode = 'line' | 'data' | 'bdat'

const CR = 0x0d
const LF = 0x0a
const DOT = 0x2e
const crlfDot = Buffer.from('\r\n.')
const empty = Buffer.alloc(0)
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes a command line as UTF-8 (RFC 6531), falling back to latin1 for invalid bytes. */
function decodeLine(bytes: Buffer): string {
  try {
    return utf8.decode(bytes)
  } catch {
    return bytes.toString('latin1')
  }
}

/** True when seg has a CR not followed by LF or an LF not preceded by CR (RFC 5321 2.3.8). */
function hasBareLineEnd(seg: Buffer, prevByte: number): boolean {
  if (prevByte === CR && seg[0] !== LF) return true
  for (let i = seg.indexOf(LF); i !== -1; i = seg.indexOf(LF, i + 1)) {
    if ((i === 0 ? prevByte : seg[i - 1]) !== CR) return true
  }
  for (let i = seg.indexOf(CR); i !== -1; i = seg.indexOf(CR, i + 1)) {
    // A CR at the very end is checked against the next segment's first byte.
    if (i + 1 < seg.length && seg[i + 1] !== LF) return true
  }
  return false
}

export class SmtpReader {
  readonly #opts: SmtpReaderOptions
  #buf: Buffer = empty
  #pos = 0
  #mode: SmtpReaderMode = 'line'
  // Line mode: no LF before #scanFrom; #discardingLine while skipping an over-long line.
  #scanFrom = 0
  #isDiscardingLine = false
  // Data mode: the next byte starts a line (it follows CRLF, or starts the data).
  #isAtLineStart = false
  #lastByte = LF
  #hasBareLineEnds = false
  // BDAT mode: octets still to read for the current chunk, and whether it is the last.
  #bdatRemaining = 0
  #isBdatLast = false
  // Message being collected (DATA) or chunk (BDAT), and the running message size.
  #parts: Buffer[] = []
  #messageBytes = 0
  #isTooLarge = false

  constructor(opts: SmtpReaderOptions) {
    this.#opts = { ...opts }
  }

  get mode(): SmtpReaderMode {
    return this.#mode
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

  /** The next complete input in the current mode, or undefined when more bytes are needed. */
  next(): SmtpInput | undefined {
    switch (this.#mode) {
      case 'line':
        return this.#nextLine()
      case 'data':
        return this.#nextData()
      case 'bdat':
        return this.#nextBdat()
    }
  }

  /** After sending 354: the following bytes are a DATA message (RFC 5321 4.1.1.4). */
  startData(): void {
    this.#mode = 'data'
    this.#isAtLineStart = true // the data starts as if preceded by CRLF
    this.#lastByte = LF
    this.#hasBareLineEnds = false
    this.#parts = []
    this.#messageBytes = 0
    this.#isTooLarge = false
  }

  /** After a BDAT command: the next `size` octets are raw chunk data (RFC 3030 2). */
  startBdat(size: number, last: boolean): void {
    this.#mode = 'bdat'
    this.#bdatRemaining = size
    this.#isBdatLast = last
    this.#parts = []
    // The declared size counts at once, so an over-large chunk is never collected.
    this.#messageBytes += size
    this.#isTooLarge = this.#messageBytes > this.#opts.maxMessageBytes
  }

  /** Starts a new message's size count (after MAIL, RSET, or a finished BDAT message). */
  resetMessage(): void {
    this.#messageBytes = 0
    this.#isTooLarge = false
  }

  #nextLine(): SmtpInput | undefined {
    const buf = this.#buf
    const start = this.#pos
    const lf = buf.indexOf(LF, this.#scanFrom)
    if (lf === -1) {
      if (buf.length - start > this.#opts.maxLineBytes) {
        // RFC 5321 4.5.3.1.4: too long; drop what we have and skip to the next LF.
        this.#isDiscardingLine = true
        this.#buf = empty
        this.#pos = 0
        this.#scanFrom = 0
      } else {
        this.#scanFrom = buf.length
      }
      return undefined
    }
    this.#pos = lf + 1
    this.#scanFrom = lf + 1
    if (this.#isDiscardingLine || lf + 1 - start > this.#opts.maxLineBytes) {
      this.#isDiscardingLine = false
      return { kind: 'line-too-long' }
    }
    // RFC 5321 2.3.8: lines end with CRLF; a command ended by a bare LF is tolerated, and any
    // other CR left in the line is refused by the command parser.
    const end = lf > start && buf[lf - 1] === CR ? lf - 1 : lf
    return { kind: 'line', line: decodeLine(buf.subarray(start, end)) }
  }

  #nextData(): SmtpInput | undefined {
    const buf = this.#buf
    const len = buf.length
    let i = this.#pos
    for (;;) {
      if (this.#isAtLineStart) {
        if (i >= len) break
        if (buf[i] === DOT) {
          if (i + 1 >= len) break
          if (buf[i + 1] === CR) {
            if (i + 2 >= len) break
            if (buf[i + 2] === LF) {
              // RFC 5321 4.1.1.4: CRLF "." CRLF ends the mail data.
              this.#pos = i + 3
              return this.#finishData()
            }
          }
          i += 1 // RFC 5321 4.5.2: a line starting with "." loses that one dot.
        }
        this.#isAtLineStart = false
      }
      // Only CRLF "." matters; everything between is copied as-is.
      const k = buf.indexOf(crlfDot, i)
      if (k === -1) {
        // Keep a trailing CR or CRLF: it may start CRLF "." in the next chunk.
        let end = len
        if (len - i >= 2 && buf[len - 2] === CR && buf[len - 1] === LF) end = len - 2
        else if (len - i >= 1 && buf[len - 1] === CR) end = len - 1
        this.#collect(buf.subarray(i, end))
        i = end
        break
      }
      this.#collect(buf.subarray(i, k + 2))
      i = k + 2
      this.#isAtLineStart = true
    }
    this.#pos = i
    return undefined
  }

  #collect(seg: Buffer): void {
    if (seg.length === 0) return
    if (!this.#hasBareLineEnds && hasBareLineEnd(seg, this.#lastByte)) {
      this.#hasBareLineEnds = true
    }
    this.#lastByte = seg[seg.length - 1] ?? LF
    this.#messageBytes += seg.length
    if (this.#isTooLarge) return
    if (this.#messageBytes > this.#opts.maxMessageBytes) {
      // Over the limit: drop what we have and keep scanning for the real terminator.
      this.#isTooLarge = true
      this.#parts = []
      return
    }
    this.#parts.push(seg)
  }

  #finishData(): SmtpInput {
    this.#mode = 'line'
    this.#scanFrom = this.#pos
    const parts = this.#parts
    this.#parts = []
    if (this.#isTooLarge) return { kind: 'data-too-large' }
    return { kind: 'data', body: Buffer.concat(parts), bareLineEnds: this.#hasBareLineEnds }
  }

  #nextBdat(): SmtpInput | undefined {
    const take = Math.min(this.#bdatRemaining, this.#buf.length - this.#pos)
    if (take > 0) {
      // RFC 3030 2: chunk data is raw octets, no dot handling, no line structure.
      if (!this.#isTooLarge) this.#parts.push(this.#buf.subarray(this.#pos, this.#pos + take))
      this.#pos += take
      this.#bdatRemaining -= take
    }
    if (this.#bdatRemaining > 0) return undefined
    this.#mode = 'line'
    this.#scanFrom = this.#pos
    const parts = this.#parts
    this.#parts = []
    if (this.#isTooLarge) return { kind: 'bdat-too-large' }
    return { kind: 'bdat-chunk', body: Buffer.concat(parts), last: this.#isBdatLast }
  }
}
