// AUTHENTICATE (RFC 9051 6.2.2) with SASL-IR (RFC 4959): the mechanism name and the optional
// initial response. The SASL exchange that follows is read as raw lines (the session calls
// reader.expectRawLine() before each) and decoded with decodeSaslLine.

import type { ArgCursor } from '../arg-cursor.ts'
import { ProtocolBad } from '../errors.ts'

export interface AuthenticateArgs {
  /** Upper-cased mechanism name, e.g. "PLAIN" (RFC 9051 9: auth-type = atom). */
  mechanism: string
  /** RFC 4959 7: the initial response, decoded; "=" is an empty one. Absent if not sent. */
  initialResponse?: Buffer
}

export function parse(c: ArgCursor): AuthenticateArgs {
  c.sp()
  const mechanism = c.keyword('mechanism')
  if (c.isAtEnd()) return { mechanism }
  c.sp()
  // RFC 4959 7: initial-resp = (base64 / "=")
  const initialResponse = decodeBase64OrEmpty(c.until(' '))
  c.expectEnd()
  return { mechanism, initialResponse }
}

/**
 * Decodes one client line of the SASL exchange (RFC 9051 6.2.2: base64, or "*" to cancel,
 * which the session answers with tagged BAD). "=" is accepted as an empty response too.
 * Throws ProtocolBad on bad base64.
 */
export function decodeSaslLine(line: string): Buffer | 'cancel' {
  if (line === '*') return 'cancel'
  return decodeBase64OrEmpty(line)
}

function decodeBase64OrEmpty(text: string): Buffer {
  if (text === '=') return Buffer.alloc(0)
  // RFC 9051 9: base64 = *(4base64-char) [base64-terminal]
  const re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
  if (!re.test(text)) throw new ProtocolBad('bad base64 in SASL response')
  return Buffer.from(text, 'base64')
}
