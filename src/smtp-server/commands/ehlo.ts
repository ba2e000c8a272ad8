// HELO and EHLO (RFC 5321 4.1.1.1): the client names itself; EHLO lists the extensions.
// Either one resets the transaction, as RSET does (RFC 5321 4.1.4).
import type { SmtpCommand } from '../../smtp/command.ts'
import { C250Ok } from '../../smtp/codes.ts'
import type { SmtpSession } from '../session.ts'
import { SASL_MECHANISMS } from '../../smtp/sasl.ts'
import { canAuthenticateHere } from './auth.ts'

type Helo = Extract<SmtpCommand, { kind: 'helo' }>
type Ehlo = Extract<SmtpCommand, { kind: 'ehlo' }>

export function runHelo(session: SmtpSession, command: Helo): void {
  session.greeting = { kind: 'helo', domain: command.domain }
  session.transaction = undefined
  session.reply(C250Ok, undefined, `${session.deps.settings.hostname} Hello ${command.domain}`)
}

export function runEhlo(session: SmtpSession, command: Ehlo): void {
  session.greeting = { kind: 'ehlo', domain: command.domain }
  session.transaction = undefined
  const { settings } = session.deps
  const lines = [
    `${settings.hostname} Hello ${command.domain} [${session.conn.remoteAddress}]`,
    'PIPELINING', // RFC 2920
    `SIZE ${settings.maxMessageBytes}`, // RFC 1870
    '8BITMIME', // RFC 6152
    'SMTPUTF8', // RFC 6531
    'ENHANCEDSTATUSCODES', // RFC 2034
    'CHUNKING', // RFC 3030
    'DSN', // RFC 3461
  ]
  // RFC 3207 4.2: STARTTLS is not offered again once TLS is up.
  if (session.deps.tls && !session.isTls) lines.push('STARTTLS')
  // RFC 4954 3: the mechanisms; only where credentials may be sent (RFC 8314 3).
  if (canAuthenticateHere(session)) {
    lines.push(`AUTH ${SASL_MECHANISMS.join(' ')}`)
  }
  lines.push('HELP')
  session.reply(C250Ok, undefined, lines)
}
