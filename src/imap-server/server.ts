// The IMAP listener, for "imap" (STARTTLS, RFC 9051 6.2.1) and "imaps" (implicit TLS,
// RFC 8314 3.3): one ImapSession per connection on a shared ConnectionListener (connection
// limits in total and per client IP; per account at login, through the shared MailboxHub;
// graceful stop: idle sessions told "* BYE" and closed, a command in progress may finish).
import type { AddressInfo } from 'node:net'
import { ConnectionListener } from '../net/connection-listener.ts'
import { encodeResponse, status } from '../imap/response.ts'
import { ImapSession } from './session.ts'
import type { ImapDeps } from './session-state.ts'

export interface ImapServerOptions {
  deps: ImapDeps
  /** imaps: TLS from the first byte (deps.tls is then required). */
  isImplicitTls: boolean
  maxConnections: number
  maxConnectionsPerIp: number
}

// RFC 9051 7.1.5: BYE as the greeting refuses the connection.
const refusals = {
  tooMany: encodeResponse(status('*', 'BYE', 'too many connections, try later', 'UNAVAILABLE')),
  tooManyFromIp: encodeResponse(
    status('*', 'BYE', 'too many connections from your address', 'UNAVAILABLE'),
  ),
  shuttingDown: encodeResponse(status('*', 'BYE', 'shutting down', 'UNAVAILABLE')),
}

export class ImapServer {
  readonly #listener: ConnectionListener

  constructor(opts: ImapServerOptions) {
    const { deps } = opts
    if (opts.isImplicitTls && deps.tls === undefined) {
      throw new Error('imaps needs a TLS certificate and key')
    }
    const listener = deps.settings.listener
    this.#listener = new ConnectionListener({
      proto: 'imap',
      maxConnections: opts.maxConnections,
      maxConnectionsPerIp: opts.maxConnectionsPerIp,
      implicitTls: opts.isImplicitTls ? deps.tls : undefined,
      refusals,
      logger: deps.logger,
      onOpen: () => {
        deps.metrics.imapSessions.inc({ listener })
        deps.metrics.imapConnectionsActive.inc({ listener })
      },
      onClose: () => {
        deps.metrics.imapConnectionsActive.dec({ listener })
      },
      createSession: (conn) =>
        new ImapSession({
          socket: conn.socket,
          deps,
          isTls: conn.isTls,
          conn: { id: conn.id, remoteAddress: conn.remoteAddress, remotePort: conn.remotePort },
          onEnd: conn.ended,
        }),
    })
  }

  get sessionCount(): number {
    return this.#listener.sessionCount
  }

  /** Listens; rejects with the system error (EADDRINUSE, EACCES, ...) if it cannot. */
  listen(host: string, port: number): Promise<AddressInfo> {
    return this.#listener.listen(host, port)
  }

  /** Stops accepting, asks sessions to end, and destroys what is left after `graceMs`. */
  close(graceMs: number): Promise<void> {
    return this.#listener.close(graceMs)
  }
}
