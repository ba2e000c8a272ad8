// SASL for SMTP AUTH (RFC 4954), pure: the mechanisms Postern offers (SCRAM-SHA-256's
// messages are src/auth/scram.ts), the base64 client
// responses (RFC 4954 4: strict base64, "=" for an empty initial response, "*" to cancel),
// the PLAIN message (RFC 4616 2) and the LOGIN mechanism's two prompts
// (draft-murchison-sasl-login). Bad input is a typed SmtpReplyError, never an exception of
// another kind.
import {
  SmtpReplyError,
  C501ParamSyntax,
  C504ParamNotImplemented,
  Es552SyntaxError,
  Es554InvalidArguments,
  Es500Other,
} from './codes.ts'
import {
  LOGIN_PASSWORD_PROMPT,
  LOGIN_USERNAME_PROMPT,
  decodeStrictBase64,
  splitPlainMessage,
  type SaslCredentials,
} from '../sasl/plain.ts'

/** Strongest first: SCRAM-SHA-256 (RFC 7677) never sends the password. */
export const SASL_MECHANISMS = ['SCRAM-SHA-256', 'PLAIN', 'LOGIN'] as const
export type SaslMechanism = (typeof SASL_MECHANISMS)[number]

/** The mechanism named by AUTH, or 504 5.5.4 when it is not one Postern offers (RFC 4954 4). */
export function saslMechanism(name: string): SaslMechanism {
  const upper = name.toUpperCase()
  const found = SASL_MECHANISMS.find((m) => m === upper)
  if (found === undefined) {
    throw new SmtpReplyError(
      C504ParamNotImplemented,
      Es554InvalidArguments,
      `mechanism ${name} not supported`,
    )
  }
  return found
}

/** RFC 4954 4: the client cancels the exchange with a line holding only "*". */
export const SASL_CANCEL = '*'
// RFC 4954 4: an initial response of "=" is an empty one.
const EMPTY_INITIAL_RESPONSE = '='

export { LOGIN_USERNAME_PROMPT, LOGIN_PASSWORD_PROMPT, type SaslCredentials }

/** The reply to a cancelled exchange (RFC 4954 4: 501). */
export function saslCancelled(): SmtpReplyError {
  return new SmtpReplyError(C501ParamSyntax, Es500Other, 'authentication cancelled')
}

/**
 * Decodes a client response (RFC 4954 4): strict base64 (RFC 4648 4), or "=" for an empty
 * initial response. "*" is the cancel line, answered 501. Bad base64 is 501 5.5.2.
 */
export function decodeSaslResponse(text: string, opts: { isInitial: boolean }): string {
  if (text === SASL_CANCEL) throw saslCancelled()
  if (opts.isInitial && text === EMPTY_INITIAL_RESPONSE) return ''
  const decoded = decodeStrictBase64(text)
  if (decoded === undefined) {
    throw new SmtpReplyError(C501ParamSyntax, Es552SyntaxError, 'invalid base64 in SASL response')
  }
  return decoded
}

/** RFC 4616 2: message = [authzid] NUL authcid NUL passwd; 501 5.5.2 when malformed. */
export function parsePlainMessage(message: string): SaslCredentials {
  const parsed = splitPlainMessage(message)
  if (typeof parsed === 'string') {
    throw new SmtpReplyError(C501ParamSyntax, Es552SyntaxError, parsed)
  }
  return parsed
}
