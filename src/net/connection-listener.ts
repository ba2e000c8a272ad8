// A TCP listener shared by the protocol servers (SMTP, POP3, IMAP): accepts connections,
// optionally wraps them in TLS from the first byte (implicit TLS, RFC 8314 3.3), applies the
// connection limits (in total and per client IP) with the protocol's own refusal line, runs one
// session per connection, and stops gracefully: no new connections, sessions asked to end,
// whatever is left after the grace period destroyed.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { randomBytes } from 'node:crypto'
import type { Logger } from '../telemetry/logger.ts'

/** What the listener needs of a session. */
export interface ListenedSession {
  start(): void
  /** Ends the session at the next good moment (idle sessions at once). */
  stop(): void
  /** Ends the session now (after the grace period). */
  destroy(): void
}

export interface AcceptedConnection {
  socket: Socket
  /** Short unique id for logs (`cid`). */
  id: string
  remoteAddress: string
  remotePort: number
  localPort: number
  isTls: boolean
  /** The session calls this exactly once, when it has ended. */
  ended: () => void
}

type Refusal = string | Buffer

export interface ConnectionListenerOptions {
  /** Event prefix for logs: `<proto>.connection-limit`, `<proto>.tls-failed`. */
  proto: string
  maxConnections: number
  maxConnectionsPerIp: number
  /** Certificate and key for implicit TLS; undefined: plain TCP (STARTTLS is the session's). */
  implicitTls: { cert: Buffer; key: Buffer } | undefined
  /** Protocol lines (CRLF included) written to refused connections. */
  refusals: { tooMany: Refusal; tooManyFromIp: Refusal; shuttingDown: Refusal }
  logger: Logger
  createSession: (conn: AcceptedConnection) => ListenedSession
  /** Called when a session starts and ends (for the active-connections gauge). */
  onOpen?: () => void
  onClose?: () => void
}

export class ConnectionListener {
  readonly #opts: ConnectionListenerOptions
  readonly #server: Server
  readonly #sessions = new Set<ListenedSession>()
  readonly #perIp = new Map<string, number>()
  #isClosing = false
  #nextId = 0
  readonly #idPrefix = randomBytes(2).toString('hex')

  constructor(opts: ConnectionListenerOptions) {
    this.#opts = opts
    this.#server = createServer({ noDelay: true }, (socket) => {
      this.#accept(socket)
    })
  }

  get sessionCount(): number {
    return this.#sessions.size
  }

  /** Listens; rejects with the system error (EADDRINUSE, EACCES, ...) if it cannot. */
  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(err)
      }
      this.#server.once('error', onError)
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', onError)
        resolve(this.#server.address() as AddressInfo)
      })
    })
  }

  /** Stops accepting, asks sessions to end, and destroys what is left after `graceMs`. */
  async close(graceMs: number): Promise<void> {
    this.#isClosing = true
    const closed = new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve()
      })
    })
    for (const session of this.#sessions) session.stop()
    const deadline = Date.now() + graceMs
    while (this.#sessions.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    for (const session of this.#sessions) session.destroy()
    await closed
  }

  #accept(raw: Socket): void {
    const opts = this.#opts
    const ip = raw.remoteAddress ?? 'unknown'
    raw.on('error', () => undefined) // errors end the session; each session handles them.
    const socket = opts.implicitTls ? this.#wrapTls(raw, opts.implicitTls) : raw
    if (this.#isClosing) {
      socket.end(opts.refusals.shuttingDown)
      return
    }
    const count = this.#perIp.get(ip) ?? 0
    if (this.#sessions.size >= opts.maxConnections) {
      this.#refuse(socket, opts.refusals.tooMany, ip)
      return
    }
    if (count >= opts.maxConnectionsPerIp) {
      this.#refuse(socket, opts.refusals.tooManyFromIp, ip)
      return
    }
    this.#perIp.set(ip, count + 1)
    opts.onOpen?.()
    let isEnded = false
    const session = opts.createSession({
      socket,
      id: `${this.#idPrefix}${(this.#nextId++).toString(36)}`,
      remoteAddress: ip,
      remotePort: raw.remotePort ?? 0,
      localPort: raw.localPort ?? 0,
      isTls: opts.implicitTls !== undefined,
      ended: () => {
        if (isEnded) return
        isEnded = true
        this.#sessions.delete(session)
        const left = (this.#perIp.get(ip) ?? 1) - 1
        if (left <= 0) this.#perIp.delete(ip)
        else this.#perIp.set(ip, left)
        opts.onClose?.()
      },
    })
    this.#sessions.add(session)
    session.start()
  }

  #wrapTls(raw: Socket, tls: { cert: Buffer; key: Buffer }): TLSSocket {
    const secure = new TLSSocket(raw, { isServer: true, cert: tls.cert, key: tls.key })
    secure.once('error', (err: Error) => {
      this.#opts.logger.info({
        event: `${this.#opts.proto}.tls-failed`,
        err: err.message,
        remote: raw.remoteAddress,
      })
    })
    return secure
  }

  #refuse(socket: Socket, reply: Refusal, ip: string): void {
    this.#opts.logger.info({ event: `${this.#opts.proto}.connection-limit`, remote: ip })
    socket.end(reply)
    setTimeout(() => socket.destroy(), 1000).unref()
  }
}
