// STARTTLS (RFC 9051 6.2.1): the tagged OK, then the TLS handshake on the same connection; the
// client must ask for the capabilities again, and anything it pipelined is discarded.
import { ProtocolBad } from '../../imap/errors.ts'
import { NOT_AUTHENTICATED, type CommandSpec } from '../command-spec.ts'

export const starttls: CommandSpec<'starttls'> = {
  states: NOT_AUTHENTICATED,
  run(session) {
    if (session.isTls) throw new ProtocolBad('TLS is already active')
    if (session.deps.tls === undefined) throw new ProtocolBad('STARTTLS is not available')
    session.startTlsAfterReply()
    return { text: 'begin TLS negotiation now' }
  },
}
