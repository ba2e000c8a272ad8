// The POP3 listener, for "pop3" (STLS, RFC 2595) and "pop3s" (implicit TLS, RFC 8314 3.3): one
// Pop3Session per connection on a shared ConnectionListener (connection limits in total and
// per client IP; graceful stop: idle sessions told "-ERR [SYS/TEMP]" and closed, nothing
// deleted; a command in progress may finish).
import type { AddressInfo } from 'node:net'
import { ConnectionListener } from '../net/connection-listener.ts'
import { RespSysTemp } from '../pop3/codes.ts'
import { formatErr } from '../pop3/response.ts'
import { Pop3Session } from './session.ts'
import type { Pop3Deps } from './session-state.ts'

export interface Pop3ServerOptions {
  deps: Pop3Deps
  /** pop3s: TLS from the first byte (deps.tls is then required). */
  isImplicitTls: boolean
  maxConnections: number
  maxConnectionsPerIp: number
}

const refusals = {
  tooMany: formatErr(RespSysTemp, 'too many connections, try later'),
  tooManyFromIp: formatErr(RespSysTemp, 'too many connections from your address'),
  shuttingDown: formatErr(RespSysTemp, 'shutting down'),
}

export class Pop3Server {
  readonly #listener: ConnectionListener

  constructor(opts: Pop3ServerOptions) {
    const { deps } = opts
    if (opts.isImplicitTls && deps.tls === undefined) {
      throw new Error('pop3s needs a TLS certificate and key')
    }
    const listener = deps.settings.listener
    this.#listener = new ConnectionListener({
      proto: 'pop3',
      maxConnections: opts.maxConnections,
      maxConnectionsPerIp: opts.maxConnectionsPerIp,
      implicitTls: opts.isImplicitTls ? deps.tls : undefined,
      refusals,
      logger: deps.logger,
      onOpen: () => {
        deps.metrics.pop3Sessions.inc({ listener })
        deps.metrics.pop3ConnectionsActive.inc({ listener })
      },
      onClose: () => {
        deps.metrics.pop3ConnectionsActive.dec({ listener })
      },
      createSession: (conn) =>
        new Pop3Session({
          socket: conn.socket,
          deps,
          isTls: conn.isTls,
          conn: {
            id: conn.id,
            remoteAddress: conn.remoteAddress,
            remotePort: conn.remotePort,
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
