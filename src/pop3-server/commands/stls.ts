// STLS (RFC 2595 4) and UTF8 (RFC 6856 3.1), both only in the AUTHORIZATION state.
import { Pop3Error, badCommand } from '../../pop3/codes.ts'
import { formatOk } from '../../pop3/response.ts'
import type { Pop3Session } from '../session.ts'

export function runStls(session: Pop3Session): void {
  if (session.isTls) throw badCommand('TLS is already active')
  if (session.deps.tls === undefined) throw new Pop3Error(undefined, 'TLS is not available')
  const state = session.authorization()
  if (state.user !== undefined || state.sasl !== undefined) {
    throw badCommand('STLS is not allowed during a login')
  }
  session.write(formatOk('begin TLS negotiation'))
  session.startTls()
}

export function runUtf8(session: Pop3Session): void {
  // RFC 6856 3.1: UTF-8 is then allowed in commands and used in responses; messages are
  // served as stored (byte-exact).
  session.isUtf8 = true
  session.write(formatOk('UTF8 enabled'))
}
