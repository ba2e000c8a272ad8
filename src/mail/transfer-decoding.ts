// Content-Transfer-Encoding decoders (RFC 2045 6): identity for 7bit/8bit/binary (6.2),
// quoted-printable (6.7) and base64 (6.8). Lenient like every mail reader: invalid "="
// sequences in quoted-printable are kept literally, characters outside the base64 alphabet
// are ignored. Used for IMAP BINARY[] (RFC 9051 6.4.5, RFC 3516).

const IDENTITY = new Set(['', '7bit', '8bit', 'binary'])

/** Whether decodeTransfer() knows this (lower-case) Content-Transfer-Encoding. */
export function isKnownTransferEncoding(encoding: string): boolean {
  return IDENTITY.has(encoding) || encoding === 'base64' || encoding === 'quoted-printable'
}

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1
  if (b >= 0x30 && b <= 0x39) return b - 0x30
  if (b >= 0x41 && b <= 0x46) return b - 0x37
  if (b >= 0x61 && b <= 0x66) return b - 0x57
  return -1
}

/** RFC 2045 6.7: quoted-printable, with soft line breaks and trailing-whitespace removal. */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(input.length)
  let n = 0
  let i = 0
  while (i < input.length) {
    const b = input[i] ?? 0
    if (b === 0x3d) {
      const hi = hexValue(input[i + 1])
      const lo = hexValue(input[i + 2])
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo
        i += 3
        continue
      }
      // Soft line break (6.7 rule 5): "=" then optional whitespace then a line break.
      let j = i + 1
      while (input[j] === 0x20 || input[j] === 0x09) j++
      if (input[j] === 0x0d && input[j + 1] === 0x0a) j += 2
      else if (input[j] === 0x0a) j += 1
      else j = -1
      if (j >= 0 || i + 1 >= input.length) {
        i = j >= 0 ? j : input.length
        continue
      }
    } else if (b === 0x20 || b === 0x09) {
      // Rule 3: whitespace at the end of an encoded line is transport padding.
      let j = i
      while (input[j] === 0x20 || input[j] === 0x09) j++
      if (j >= input.length || input[j] === 0x0a || (input[j] === 0x0d && input[j + 1] === 0x0a)) {
        i = j
        continue
      }
    }
    out[n++] = b
    i++
  }
  return out.subarray(0, n)
}

/** RFC 2045 6.8: base64, ignoring line breaks and other characters outside the alphabet. */
export function decodeBase64(input: Buffer): Buffer {
  return Buffer.from(input.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64')
}

/** Decode a body in a known transfer encoding; undefined for an unknown one. */
export function decodeTransfer(input: Buffer, encoding: string): Buffer | undefined {
  if (IDENTITY.has(encoding)) return input
  if (encoding === 'base64') return decodeBase64(input)
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(input)
  return undefined
}
