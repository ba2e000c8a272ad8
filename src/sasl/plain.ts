// SASL pieces every protocol shares (SMTP AUTH, POP3 AUTH), pure and protocol-neutral: strict
// base64 of client responses (RFC 4648 4), the PLAIN message (RFC 4616 2) and the LOGIN
// mechanism's two prompts (draft-murchison-sasl-login). Each protocol turns a failure into its
// own error reply.

/** The LOGIN mechanism's server challenges, base64 (what every LOGIN client expects). */
export const LOGIN_USERNAME_PROMPT = Buffer.from('Username:').toString('base64')
export const LOGIN_PASSWORD_PROMPT = Buffer.from('Password:').toString('base64')

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Decodes strict base64 to UTF-8; undefined when the text is not base64. */
export function decodeStrictBase64(text: string): string | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64').toString('utf8') : undefined
}

export interface SaslCredentials {
  /** The identity to act as; empty when the same as the user (RFC 4616 2). */
  authzid: string
  user: string
  password: string
}

/** RFC 4616 2: message = [authzid] NUL authcid NUL passwd. A string says what is wrong. */
export function splitPlainMessage(message: string): SaslCredentials | string {
  const parts = message.split('\0')
  const [authzid, user, password] = parts
  if (parts.length !== 3 || authzid === undefined || user === undefined || password === undefined) {
    return 'PLAIN message must be authzid NUL user NUL password'
  }
  if (user === '') return 'PLAIN message has no user name'
  return { authzid, user, password }
}
