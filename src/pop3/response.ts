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

const DOT = 0x2e
const LF = 0x0a
const CRLF = Buffer.from('\r\n')
const TERMINATOR = Buffer.from('.\r\n')
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n')
/** A line that starts with a dot, seen from the LF that ends the line before it. */
const LF_DOT = Buffer.from('\n.')

/** Bytes for the wire: a Buffer, or a latin1 string (one char per byte, write it as latin1). */
export type WireChunk = Buffer | string

/** The bytes of a WireChunk. */
export function wireBytes(chunk: WireChunk): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk
}

/**
 * Byte-stuffs a message given in chunks (RFC 1939 3). A line starts at the beginning and
 * after every LF (a bare LF too, as line-based clients split there). end() returns the
 * terminator, with a CRLF first when the message did not end with a line end.
 *
 * Cost: one native scan for "\n." per chunk; a chunk without a dot line (most mail) is
 * returned as is, never copied. A chunk with dot lines is stuffed with one native replace
 * over its latin1 form, however many dot lines it has (no per-line slices, no concat), and
 * returned as that latin1 string (one char per byte), which the socket writes as latin1:
 * no Buffer is allocated for it.
 */
export class DotStuffer {
  #isAtLineStart = true

  push(chunk: Buffer): WireChunk {
    if (chunk.length === 0) return chunk
    const isDotFirst = this.#isAtLineStart && chunk[0] === DOT
    this.#isAtLineStart = chunk[chunk.length - 1] === LF
    const lfDot = chunk.indexOf(LF_DOT)
    if (lfDot === -1 && !isDotFirst) return chunk
    // RFC 1939 3: a line beginning with "." gets one more "." in front of it.
    const text = chunk.toString('latin1')
    const stuffed = lfDot === -1 ? text : text.replaceAll('\n.', '\n..')
    return isDotFirst ? `.${stuffed}` : stuffed
  }

  end(): Buffer {
    return this.#isAtLineStart ? TERMINATOR : CRLF_TERMINATOR
  }
}

export { CRLF }
