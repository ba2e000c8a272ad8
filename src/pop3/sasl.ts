// SASL for POP3 AUTH (RFC 5034), pure: the PLAIN mechanism's message (RFC 4616 2) and the
// LOGIN mechanism's two prompts (draft-murchison-sasl-login), base64 (RFC 4648 4) with
// strict decoding, and the "*" that cancels an exchange (RFC 5034 4).

import { badCommand } from './codes.ts'
import {
  LOGIN_PASSWORD_PROMPT,
  LOGIN_USERNAME_PROMPT,
  decodeStrictBase64,
  splitPlainMessage,
  type SaslCredentials,
} from '../sasl/plain.ts'

export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'] as const
export type SaslMechanism = (typeof SASL_MECHANISMS)[number]

export function isSaslMechanism(name: string): name is SaslMechanism {
  return (SASL_MECHANISMS as readonly string[]).includes(name)
}

/** RFC 5034 4: the client cancels the exchange with a line holding only "*". */
export const SASL_CANCEL = '*'
// RFC 5034 4: an initial response of "=" means an empty one.
const EMPTY_INITIAL_RESPONSE = '='

export { LOGIN_USERNAME_PROMPT, LOGIN_PASSWORD_PROMPT, type SaslCredentials }

/** Decodes a client response; "=" (initial response only) is empty. Throws on bad base64. */
export function decodeSaslResponse(text: string, opts: { isInitial: boolean }): string {
  if (opts.isInitial && text === EMPTY_INITIAL_RESPONSE) return ''
  const decoded = decodeStrictBase64(text)
  if (decoded === undefined) throw badCommand('invalid base64 in SASL response')
  return decoded
}

/** RFC 4616 2: message = [authzid] NUL authcid NUL passwd. */
export function parsePlainMessage(message: string): SaslCredentials {
  const parsed = splitPlainMessage(message)
  if (typeof parsed === 'string') throw badCommand(parsed)
  return parsed
}
