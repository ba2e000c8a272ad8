// SASL for POP3 AUTH (RFC 5034), pure: the PLAIN mechanism's message (RFC 4616 2) and the
// LOGIN mechanism's two prompts (draft-murchison-sasl-login), base64 (RFC 4648 4) with
// strict decoding, and the "*" that cancels an exchange (RFC 5034 4).

import { badCommand } from './codes.ts'

export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'] as const
export type SaslMechanism = (typeof SASL_MECHANISMS)[number]

export function isSaslMechanism(name: string): name is SaslMechanism {
  return (SASL_MECHANISMS as readonly string[]).includes(name)
}

/** RFC 5034 4: the client cancels the exchange with a line holding only "*". */
export const SASL_CANCEL = '*'
// RFC 5034 4: an initial response of "=" means an empty one.
const EMPTY_INITIAL_RESPONSE = '='

export const LOGIN_USERNAME_PROMPT = Buffer.from('Username:').toString('base64')
export const LOGIN_PASSWORD_PROMPT = Buffer.from('Password:').toString('base64')

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Decodes a client response; "=" (initial response only) is empty. Throws on bad base64. */
export function decodeSaslResponse(text: string, opts: { isInitial: boolean }): string {
  if (opts.isInitial && text === EMPTY_INITIAL_RESPONSE) return ''
  if (!BASE64.test(text)) throw badCommand('invalid base64 in SASL response')
  return Buffer.from(text, 'base64').toString('utf8')
}

export interface SaslCredentials {
  /** The identity to act as; empty when the same as the user (RFC 4616 2). */
  authzid: string
  user: string
  password: string
}

/** RFC 4616 2: message = [authzid] NUL authcid NUL passwd. */
export function parsePlainMessage(message: string): SaslCredentials {
  const parts = message.split('\0')
  const [authzid, user, password] = parts
  if (parts.length !== 3 || authzid === undefined || user === undefined || password === undefined) {
    throw badCommand('PLAIN message must be authzid NUL user NUL password')
  }
  if (user === '') throw badCommand('PLAIN message has no user name')
  return { authzid, user, password }
}
