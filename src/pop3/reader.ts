// POP3 input reader (RFC 1939 3, RFC 2449 4), pure and push-based: feed(chunk) buffers bytes
// and next() returns one complete line at a time. Commands and SASL responses (RFC 5034 4)
// are both single lines ending in CRLF; a bare LF is accepted as a line end (lenient, and
// harmless: nothing in POP3 input is data that could be smuggled).
//
// Memory: the reader holds at most one partial line (up to maxLineBytes) plus the unread
// part of the last chunk, provided the session calls next() until it returns undefined after
// every feed(). An over-long line is discarded up to its end and reported once.

export type Pop3Input = { kind: 'line'; line: string } | { kind: 'line-too-long' }

export interface Pop3ReaderOptions {
  /** Longest line, CRLF included (RFC 2449 4: commands up to 255 octets; SASL needs more). */
  maxLineBytes: number
}

const LF = 0x0a
const CR = 0x0d
const empty = Buffer.alloc(0)
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes a line as UTF-8 (RFC 6856), falling back to latin1 for invalid bytes. */
function decodeLine(bytes: Buffer): string {
  try {
    return utf8.decode(bytes)
  } catch {
    return bytes.toString('latin1')
  }
}

export class Pop3Reader {
  readonly #maxLineBytes: number
  #buf: Buffer = empty
  #pos = 0
  /** No LF in #buf before this index. */
  #scanFrom = 0
  #isDiscarding = false

  constructor(opts: Pop3ReaderOptions) {
    this.#maxLineBytes = opts.maxLineBytes
  }

  /** Bytes received and not yet consumed. */
  get bufferedBytes(): number {
    return this.#buf.length - this.#pos
  }

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

  /** The next complete line, or undefined when more bytes are needed. */
  next(): Pop3Input | undefined {
    const lf = this.#buf.indexOf(LF, Math.max(this.#pos, this.#scanFrom))
    if (lf === -1) {
      this.#scanFrom = this.#buf.length
      if (this.#buf.length - this.#pos > this.#maxLineBytes) {
        // Keep nothing of an over-long line; report it when its end arrives.
        this.#isDiscarding = true
        this.#buf = empty
        this.#pos = 0
        this.#scanFrom = 0
      }
      return undefined
    }
    const start = this.#pos
    this.#pos = lf + 1
    this.#scanFrom = this.#pos
    if (this.#isDiscarding || lf + 1 - start > this.#maxLineBytes) {
      this.#isDiscarding = false
      return { kind: 'line-too-long' }
    }
    const end = lf > start && this.#buf[lf - 1] === CR ? lf - 1 : lf
    return { kind: 'line', line: decodeLine(this.#buf.subarray(start, end)) }
  }
}
