// The SMTP listener: accepts connections, applies the connection limits (in total and per
// client IP), runs one SmtpSession per connection, and stops gracefully: no new connections,
// idle sessions closed with 421, sessions in a transaction finish up to a deadline.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { SmtpSession, refuseConnection } from './session.ts'
import type { SmtpDeps } from './session-state.ts'

export interface SmtpServerOptions {
  deps: SmtpDeps
  maxConnections: number
  maxConnectionsPerIp: number
}

export class SmtpServer {
  readonly #opts: SmtpServerOptions
  readonly #server: Server
  readonly #sessions = new Set<SmtpSession>()
  readonly #perIp = new Map<string, number>()
  #closing = false
  #nextId = 0
  readonly #idPrefix = randomBytes(2).toString('hex')

  constructor(opts: SmtpServerOptions) {
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
    this.#closing = true
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

  #accept(socket: Socket): void {
    const { deps } = this.#opts
    const ip = socket.remoteAddress ?? 'unknown'
    socket.on('error', () => undefined) // errors end the session; see SmtpSession.
    if (this.#closing) {
      socket.end(refuseConnection.shuttingDown)
      return
    }
    const count = this.#perIp.get(ip) ?? 0
    if (this.#sessions.size >= this.#opts.maxConnections) {
      this.#refuse(socket, refuseConnection.tooMany, ip)
      return
    }
    if (count >= this.#opts.maxConnectionsPerIp) {
      this.#refuse(socket, refuseConnection.tooManyFromIp, ip)
      return
    }
    this.#perIp.set(ip, count + 1)
    const role = deps.settings.role
    deps.metrics.smtpSessions.inc({ role })
    deps.metrics.smtpConnectionsActive.inc({ role })
    const session = new SmtpSession({
      socket,
      deps,
      isTls: false,
      conn: {
        id: `${this.#idPrefix}${(this.#nextId++).toString(36)}`,
        remoteAddress: ip,
        remotePort: socket.remotePort ?? 0,
        localPort: socket.localPort ?? 0,
      },
      onEnd: (ended) => {
        this.#sessions.delete(ended)
        const left = (this.#perIp.get(ip) ?? 1) - 1
        if (left <= 0) this.#perIp.delete(ip)
        else this.#perIp.set(ip, left)
        deps.metrics.smtpConnectionsActive.dec({ role })
      },
    })
    this.#sessions.add(session)
    session.start()
  }

  #refuse(socket: Socket, reply: string, ip: string): void {
    this.#opts.deps.logger.info({ event: 'smtp.connection-limit', remote: ip })
    socket.end(reply)
    setTimeout(() => socket.destroy(), 1000).unref()
  }
}
