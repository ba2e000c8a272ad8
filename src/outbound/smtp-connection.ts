// One client connection to a remote SMTP server (RFC 5321 2.1, 4.1): connect with a timeout
// and a chosen source address, write command lines (waiting for the socket to drain), read
// replies (smtp-client/reply.ts) each with its own deadline (RFC 5321 4.5.3.2), and upgrade to
// TLS after STARTTLS (RFC 3207 4). It knows nothing of transactions; smtp-transaction.ts and
// smtp-session.ts drive it. Every failure is a ConnectionFailure with a kind, so callers can
// tell "try the next host" from "this server answered".
//
// Invariants:
// - at most one reader waits for a reply at a time (one transaction per connection);
// - after a timeout, a protocol error or a close, the connection is broken for good;
// - bytes the server sends before STARTTLS's TLS handshake are discarded (RFC 3207 5).
import { connect as netConnect, isIPv6, type Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { ReplyReader, type SmtpReply } from '../smtp-client/reply.ts'
import type { Capabilities } from '../smtp-client/ehlo.ts'

export type ConnectionFailureKind = 'connect' | 'timeout' | 'closed' | 'protocol' | 'tls'

export class ConnectionFailure extends Error {
  readonly kind: ConnectionFailureKind
  constructor(kind: ConnectionFailureKind, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause })
    this.name = 'ConnectionFailure'
    this.kind = kind
  }
}

/** none: clear text; tls: encrypted, certificate not verified; verified: PKIX and name OK. */
export type TlsState = 'none' | 'tls' | 'verified'

export interface OpenConnectionOptions {
  ip: string
  port: number
  /** The MX host name (for logs, SNI and certificate checks). */
  hostName: string
  localAddress?: string
  connectTimeoutMs: number
}

export interface StartTlsOptions {
  /** Trust anchors instead of the system's. */
  ca?: string | Buffer | (string | Buffer)[]
  timeoutMs: number
}

export interface TlsResult {
  state: TlsState
  /** Why the certificate is not trusted, when it is not. */
  authorizationError?: string
  protocol?: string
  cipher?: string
}

export class SmtpConnection {
  readonly ip: string
  readonly port: number
  readonly hostName: string
  socket: Socket | TLSSocket
  tlsState: TlsState = 'none'
  capabilities: Capabilities | undefined
  /** Messages sent (final "." answered) on this connection. */
  messagesSent = 0
  /** Set when the connection can no longer be used. */
  broken: ConnectionFailure | undefined
  #reader = new ReplyReader()
  #replies: SmtpReply[] = []
  #waiter: { ok: (r: SmtpReply) => void; fail: (e: ConnectionFailure) => void } | undefined

  private constructor(socket: Socket, opts: OpenConnectionOptions) {
    this.socket = socket
    this.ip = opts.ip
    this.port = opts.port
    this.hostName = opts.hostName
    this.#attach(socket)
  }

  /** True when the server sent something nobody asked for (e.g. a 421 while idle). */
  get hasUnreadReplies(): boolean {
    return this.#replies.length > 0 || this.#reader.isPartial
  }

  /** "mx.example.com [192.0.2.1]" as the outcome's remoteHost. */
  get label(): string {
    return `${this.hostName} [${this.ip}]`
  }

  static async open(opts: OpenConnectionOptions): Promise<SmtpConnection> {
    const socket = netConnect({
      host: opts.ip,
      port: opts.port,
      family: isIPv6(opts.ip) ? 6 : 4,
      ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
    })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new ConnectionFailure('timeout', `connect timed out after ${ms(opts)}`))
      }, opts.connectTimeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        resolve()
      })
      socket.once('error', (err) => {
        clearTimeout(timer)
        socket.destroy()
        reject(new ConnectionFailure('connect', err.message, { cause: err }))
      })
    })
    socket.setNoDelay(true)
    return new SmtpConnection(socket, opts)
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk)
    })
    socket.on('error', (err: Error) => {
      this.#fail(new ConnectionFailure('closed', err.message, { cause: err }))
    })
    socket.on('close', () => {
      this.#fail(new ConnectionFailure('closed', 'connection closed by the server'))
    })
  }

  #onData(chunk: Buffer): void {
    try {
      this.#replies.push(...this.#reader.feed(chunk))
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      this.#fail(new ConnectionFailure('protocol', message, { cause: err }))
      this.socket.destroy()
      return
    }
    this.#deliver()
  }

  #deliver(): void {
    const waiter = this.#waiter
    const reply = this.#replies[0]
    if (waiter === undefined || reply === undefined) return
    this.#replies.shift()
    this.#waiter = undefined
    waiter.ok(reply)
  }

  #fail(failure: ConnectionFailure): void {
    this.broken ??= failure
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter?.fail(this.broken)
  }

  /** The next reply, within timeoutMs (a timeout breaks the connection). */
  read(timeoutMs: number): Promise<SmtpReply> {
    const queued = this.#replies.shift()
    if (queued) return Promise.resolve(queued)
    if (this.broken) return Promise.reject(this.broken)
    if (this.#waiter) return Promise.reject(new ConnectionFailure('protocol', 'concurrent read'))
    return new Promise<SmtpReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new ConnectionFailure('timeout', `no reply within ${String(timeoutMs)} ms`))
        this.socket.destroy()
      }, timeoutMs)
      this.#waiter = {
        ok: (r) => {
          clearTimeout(timer)
          resolve(r)
        },
        fail: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      }
    })
  }

  /** Writes bytes; resolves once the socket accepted them (waits for drain when full). */
  async write(data: string | Buffer, timeoutMs: number): Promise<void> {
    if (this.broken) throw this.broken
    if (this.socket.write(data)) return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup()
        const failure = new ConnectionFailure(
          'timeout',
          `write stalled for ${String(timeoutMs)} ms`,
        )
        this.#fail(failure)
        this.socket.destroy()
        reject(failure)
      }, timeoutMs)
      const onDrain = (): void => {
        cleanup()
        resolve()
      }
      const onClose = (): void => {
        cleanup()
        reject(this.broken ?? new ConnectionFailure('closed', 'connection closed while writing'))
      }
      const cleanup = (): void => {
        clearTimeout(timer)
        this.socket.off('drain', onDrain)
        this.socket.off('close', onClose)
      }
      this.socket.on('drain', onDrain)
      this.socket.on('close', onClose)
    })
  }

  /** Writes one command and reads its reply. */
  async command(line: string, timeoutMs: number): Promise<SmtpReply> {
    await this.write(line, timeoutMs)
    return this.read(timeoutMs)
  }

  /**
   * The TLS handshake after "220" to STARTTLS. The certificate is checked against the MX name
   * (SNI too) but not required here: the result says whether it was verified, and the caller
   * decides (opportunistic TLS goes on; MTA-STS enforce refuses).
   */
  async startTls(opts: StartTlsOptions): Promise<TlsResult> {
    const plain = this.socket
    plain.removeAllListeners('data')
    plain.removeAllListeners('close')
    plain.removeAllListeners('error')
    // RFC 3207 5: nothing the server sent before the handshake may be used afterwards.
    this.#replies = []
    this.#reader = new ReplyReader()
    const secure = tlsConnect({
      socket: plain,
      servername: this.hostName,
      rejectUnauthorized: false,
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
    })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        secure.destroy()
        reject(
          new ConnectionFailure(
            'tls',
            `TLS handshake timed out after ${String(opts.timeoutMs)} ms`,
          ),
        )
      }, opts.timeoutMs)
      secure.once('secureConnect', () => {
        clearTimeout(timer)
        secure.removeAllListeners('error')
        resolve()
      })
      secure.once('error', (err: Error) => {
        clearTimeout(timer)
        secure.destroy()
        reject(new ConnectionFailure('tls', `TLS handshake failed: ${err.message}`, { cause: err }))
      })
    }).catch((err: unknown) => {
      const failure =
        err instanceof ConnectionFailure ? err : new ConnectionFailure('tls', String(err))
      this.broken ??= failure
      throw failure
    })
    this.socket = secure
    this.#attach(secure)
    // Node sets `authorized` only when both the chain and the host name (checkServerIdentity)
    // are valid.
    this.tlsState = secure.authorized ? 'verified' : 'tls'
    const result: TlsResult = { state: this.tlsState }
    const authError = secure.authorizationError as Error | string | null | undefined
    if (authError) result.authorizationError = String(authError)
    const protocol = secure.getProtocol()
    if (protocol !== null) result.protocol = protocol
    result.cipher = secure.getCipher().name
    return result
  }

  /** QUIT politely (a short wait for 221), then close. Never throws. */
  async quit(timeoutMs: number): Promise<void> {
    if (!this.broken) {
      try {
        await this.command('QUIT\r\n', timeoutMs)
      } catch {
        // closing anyway
      }
    }
    this.destroy()
  }

  destroy(): void {
    this.broken ??= new ConnectionFailure('closed', 'closed by us')
    this.socket.destroy()
  }
}

function ms(opts: { connectTimeoutMs: number }): string {
  return `${String(opts.connectTimeoutMs)} ms`
}

/** For logs: "[::1]:25" or "127.0.0.1:25". */
export function endpoint(ip: string, port: number): string {
  return isIPv6(ip) ? `[${ip}]:${String(port)}` : `${ip}:${String(port)}`
}
