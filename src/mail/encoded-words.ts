// Charset decoding and RFC 2047 encoded words ("=?charset?B|Q?text?=") in header text.
// RFC 2047 2 (syntax), 4.1 (B), 4.2 (Q), 6.2 (whitespace between adjacent encoded words is
// dropped); RFC 2231 5 (a "*language" suffix on the charset); RFC 6532 3.2 (raw UTF-8 in
// header values). Never throws: unknown charsets fall back to UTF-8 when the bytes are valid
// UTF-8, else Latin-1, which maps every byte to one code point.

import { isUtf8 } from 'node:buffer'
import { TextDecoder } from 'node:util'

const decoders = new Map<string, TextDecoder | null>()

function decoderFor(charset: string): TextDecoder | null {
  const label = charset.trim().toLowerCase()
  let decoder = decoders.get(label)
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label)
    } catch {
      decoder = null
    }
    if (decoders.size < 256) decoders.set(label, decoder)
  }
  return decoder
}

/** Header bytes as text: UTF-8 when valid (RFC 6532 3.2), else Latin-1 (byte per char). */
export function decodeHeaderBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return ''
  return isUtf8(bytes)
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1')
}

/** Decode bytes in a named charset; unknown or failing charsets fall back to decodeHeaderBytes. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const decoder = decoderFor(charset.replace(/\*.*$/, '')) // RFC 2231 5: charset*lang
  if (decoder !== null) {
    try {
      return decoder.decode(bytes)
    } catch {
      // fall through
    }
  }
  return decodeHeaderBytes(bytes)
}

/** RFC 2047 4.2: Q encoding ("_" is space, "=XX" a byte). */
export function decodeQ(text: string): Buffer {
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x09) continue // not valid in Q text: folding residue
    if (c === 0x5f) out.push(0x20)
    else if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16))
      i += 2
    } else out.push(c & 0xff)
  }
  return Buffer.from(out)
}

interface Word {
  charset: string
  bytes: Buffer
}

// Lenient: encoded text may contain whitespace (folded or badly generated words).
const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?]*?)\?=/g

/**
 * Decode every RFC 2047 encoded word in a header value. Adjacent encoded words separated only
 * by whitespace are joined (RFC 2047 6.2); consecutive words in the same charset are joined as
 * bytes first, so a multi-byte character split across two words still decodes.
 */
export function decodeEncodedWords(text: string): string {
  if (!text.includes('=?')) return text
  let out = ''
  const words: Word[] = [] // a run of encoded words separated only by whitespace
  let last = 0
  const flush = (): void => {
    for (const w of words) out += decodeCharset(w.bytes, w.charset)
    words.length = 0
  }
  for (const m of text.matchAll(ENCODED_WORD)) {
    const between = text.slice(last, m.index)
    if (words.length === 0 || !/^[ \t\r\n]*$/.test(between)) {
      flush()
      out += between
    }
    const charset = (m[1] ?? '').toLowerCase()
    const payload = m[3] ?? ''
    const bytes =
      (m[2] ?? 'q').toLowerCase() === 'b' ? Buffer.from(payload, 'base64') : decodeQ(payload)
    const prev = words.at(-1)
    if (prev !== undefined && prev.charset === charset)
      prev.bytes = Buffer.concat([prev.bytes, bytes])
    else words.push({ charset, bytes })
    last = m.index + m[0].length
  }
  flush()
  return out + text.slice(last)
}
