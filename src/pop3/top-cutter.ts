// TOP (RFC 1939 7): the header, the blank line after it, then at most n lines of the body,
// taken from a message given in chunks, so TOP streams like RETR. Lines end at LF (a CR
// before it belongs to the line); a message without a blank line is all header.

const LF = 0x0a
const CR = 0x0d

export class TopCutter {
  readonly #bodyLines: number
  #isInHeader = true
  #bodyLinesSeen = 0
  /** Bytes of the current line so far, and whether its only byte so far is CR. */
  #lineBytes = 0
  #isLineOnlyCr = false
  #isDone = false

  constructor(bodyLines: number) {
    this.#bodyLines = bodyLines
  }

  /** True once the cut is reached: later chunks are not needed. */
  get isDone(): boolean {
    return this.#isDone
  }

  /** The part of `chunk` that belongs to the response. */
  push(chunk: Buffer): Buffer {
    if (this.#isDone) return chunk.subarray(0, 0)
    if (!this.#isInHeader && this.#bodyLines === 0) {
      this.#isDone = true
      return chunk.subarray(0, 0)
    }
    let from = 0
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, from)) {
      const lineBytes = this.#lineBytes + (lf - from)
      const isEmpty =
        lineBytes === 0 || (lineBytes === 1 && (this.#isLineOnlyCr || chunk[lf - 1] === CR))
      from = lf + 1
      this.#lineBytes = 0
      this.#isLineOnlyCr = false
      if (this.#isInHeader) {
        if (!isEmpty) continue
        this.#isInHeader = false
        if (this.#bodyLines > 0) continue
      } else if (++this.#bodyLinesSeen < this.#bodyLines) {
        continue
      }
      this.#isDone = true
      return chunk.subarray(0, from)
    }
    const tail = chunk.length - from
    if (tail > 0) {
      this.#isLineOnlyCr = this.#lineBytes === 0 && tail === 1 && chunk[from] === CR
      this.#lineBytes += tail
    }
    return chunk
  }
}
