// POP3 responses (RFC 1939 3), pure: single-line "+OK"/"-ERR" responses with an optional
// extended response code (RFC 2449 8), SASL challenges (RFC 5034 4), and multi-line
// responses, whose lines are byte-stuffed (a line starting with "." gets another ".") and
// which end with "." CRLF. DotStuffer does the stuffing on a stream of chunks, so a large
// message is sent piece by piece and served byte-exact once the client un-stuffs it.

import { StatusContinue, StatusErr, StatusOk, type Pop3ResponseCode } from './codes.ts'

/** CR and LF never reach the wire inside a response text: a text cannot add lines. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ')
}

export function formatOk(text: string): string {
  return text === '' ? `${StatusOk}\r\n` : `${StatusOk} ${oneLine(text)}\r\n`
}

export function formatErr(code: Pop3ResponseCode | undefined, text: string): string {
  const withCode = code === undefined ? oneLine(text) : `[${code}] ${oneLine(text)}`
  return `${StatusErr} ${withCode}\r\n`
}

/** RFC 5034 4: a server challenge, base64 (empty for an empty challenge). */
export function formatChallenge(base64: string): string {
  return `${StatusContinue} ${base64}\r\n`
}

/** A complete multi-line response: "+OK text", the lines (stuffed), then ".". */
export function formatMultiline(text: string, lines: readonly string[]): string {
  const body = lines.map((l) => `${l.startsWith('.') ? '.' : ''}${oneLine(l)}\r\n`).join('')
  return `${formatOk(text)}${body}.\r\n`
}

const LF = 0x0a
const DOT = 0x2e
const CRLF = Buffer.from('\r\n')
const TERMINATOR = Buffer.from('.\r\n')
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n')

/**
 * Byte-stuffs a message given in chunks (RFC 1939 3). A line starts at the beginning and
 * after every LF (a bare LF too, as line-based clients split there). end() returns the
 * terminator, with a CRLF first when the message did not end with a line end.
 */
export class DotStuffer {
  #isAtLineStart = true

  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk
    const parts: Buffer[] = []
    let from = 0
    if (this.#isAtLineStart && chunk[0] === DOT) parts.push(TERMINATOR.subarray(0, 1))
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
      if (chunk[lf + 1] === DOT) {
        parts.push(chunk.subarray(from, lf + 1), TERMINATOR.subarray(0, 1))
        from = lf + 1
      }
    }
    this.#isAtLineStart = chunk[chunk.length - 1] === LF
    if (parts.length === 0) return chunk
    parts.push(chunk.subarray(from))
    return Buffer.concat(parts)
  }

  end(): Buffer {
    return this.#isAtLineStart ? TERMINATOR : CRLF_TERMINATOR
  }
}

export { CRLF }
