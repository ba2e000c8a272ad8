// The SMTP listener (role mx, or submission with STARTTLS or implicit TLS, RFC 8314 3.3): one
// SmtpSession per connection on a shared ConnectionListener (connection limits in total and
// per client IP, graceful stop: idle sessions closed with 421, sessions in a transaction finish
// up to a deadline).
import type { AddressInfo } from 'node:net'
import { ConnectionListener } from '../net/connection-listener.ts'
import { SmtpSession, refuseConnection } from './session.ts'
import type { SmtpDeps } from './session-state.ts'

export interface SmtpServerOptions {
  deps: SmtpDeps
  maxConnections: number
  maxConnectionsPerIp: number
  /** TLS from the first byte (submissions, RFC 8314 3.3); STARTTLS is then not offered. */
  isImplicitTls?: boolean
}

export class SmtpServer {
  readonly #listener: ConnectionListener

  constructor(opts: SmtpServerOptions) {
    const { deps } = opts
    const role = deps.settings.role
    if (opts.isImplicitTls === true && deps.tls === undefined) {
      throw new Error('implicit TLS needs a certificate')
    }
    if (role === 'submission' && deps.submission === undefined) {
      throw new Error('a submission listener needs its submission dependencies')
    }
    this.#listener = new ConnectionListener({
      proto: 'smtp',
      maxConnections: opts.maxConnections,
      maxConnectionsPerIp: opts.maxConnectionsPerIp,
      implicitTls: opts.isImplicitTls === true ? deps.tls : undefined,
      refusals: refuseConnection,
      logger: deps.logger,
      onOpen: () => {
        deps.metrics.smtpSessions.inc({ role })
        deps.metrics.smtpConnectionsActive.inc({ role })
      },
      onClose: () => {
        deps.metrics.smtpConnectionsActive.dec({ role })
      },
      createSession: (conn) =>
        new SmtpSession({
          socket: conn.socket,
          deps,
          isTls: conn.isTls,
          conn: {
            id: conn.id,
            remoteAddress: conn.remoteAddress,
            remotePort: conn.remotePort,
            localPort: conn.localPort,
          },
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
