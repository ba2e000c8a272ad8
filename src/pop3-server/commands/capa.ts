// CAPA (RFC 2449 5): the capabilities, which depend on the state and on TLS. USER and SASL
// are listed only where a login is allowed (TLS, or a client network configured for
// plaintext), and STLS only before TLS and before login (RFC 2595 4).
import { formatMultiline } from '../../pop3/response.ts'
import { SASL_MECHANISMS } from '../../pop3/sasl.ts'
import type { Pop3Session } from '../session.ts'
import { canLogInHere } from './auth.ts'

export function runCapa(session: Pop3Session): void {
  const isAuthorization = session.state.kind === 'authorization'
  const lines = ['TOP', 'UIDL'] // RFC 2449 6.1, 6.2
  if (isAuthorization && canLogInHere(session)) {
    lines.push('USER') // RFC 2449 6.8
    lines.push(`SASL ${SASL_MECHANISMS.join(' ')}`) // RFC 2449 6.3, RFC 5034 5
  }
  lines.push(
    'RESP-CODES', // RFC 2449 6.4
    'AUTH-RESP-CODE', // RFC 3206 6
    'PIPELINING', // RFC 2449 6.6
    'EXPIRE NEVER', // RFC 2449 6.7: messages are never removed by the server on its own
    'IMPLEMENTATION Postern', // RFC 2449 6.9
    'UTF8 USER', // RFC 6856 2: UTF-8 user names and passwords are accepted
  )
  if (isAuthorization && session.deps.tls !== undefined && !session.isTls) lines.push('STLS')
  session.write(formatMultiline('capability list follows', lines))
}
