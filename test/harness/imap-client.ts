// A small raw IMAP client for end-to-end tests and benchmarks: it sends exactly the lines it
// is given (tagged A1, A2, ...) and returns the untagged responses (with their literals
// inlined, byte for byte) and the tagged completion. Notifications that arrive between
// commands, as during IDLE, are queued for waitUntagged(). Many instances can be open at
// once (the idle-memory benchmark holds 1,000), so it keeps little state per connection.
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'

export interface ImapResponse {
  /** Untagged responses and continuations seen before the completion, as raw bytes. */
  untagged: Buffer[]
  /** `OK`, `NO` or `BAD`. */
  status: string
  /** The completion line after the status. */
  text: string
}

const DEFAULT_TIMEOUT_MS = 15_000
const CRLF = Buffer.from('\r\n')

interface Waiter {
  match: (unit: Buffer) => boolean
  ok: (unit: Buffer) => void
}

/** Quotes a string as an IMAP quoted string. */
export function quoted(s: string): string {
  return '"' + s.replace(/["\\]/g, (c) => '\\' + c) + '"'
}

export class ImapClient {
  socket: Socket | TLSSocket
  greeting = ''
  timeoutMs: number
  #buffer: Buffer = Buffer.alloc(0)
  /** Bytes of the response unit being assembled (a line plus literals). */
  #unit: Buffer[] = []
  #literalLeft = -1
  #tag = 0
  #units: Buffer[] = []
  #waiters: Waiter[] = []
  #closed = false
  #closeWaiters: (() => void)[] = []

  private constructor(socket: Socket | TLSSocket, timeoutMs: number) {
    this.socket = socket
    this.timeoutMs = timeoutMs
    this.#attach(socket)
  }

  /** Connects to 127.0.0.1:port (implicit TLS if `tls`) and reads the greeting. */
  static async connect(
    port: number,
    opts: { tls?: boolean; timeoutMs?: number; host?: string } = {},
  ): Promise<ImapClient> {
    const host = opts.host ?? '127.0.0.1'
    const socket =
      opts.tls === true
        ? tlsConnect({ port, host, rejectUnauthorized: false })
        : netConnect({ port, host })
    await new Promise<void>((ok, fail) => {
      socket.once(opts.tls === true ? 'secureConnect' : 'connect', () => {
        socket.off('error', fail)
        ok()
      })
      socket.once('error', fail)
    })
    socket.setNoDelay(true)
    const c = new ImapClient(socket, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    c.greeting = (await c.next(() => true)).toString('utf8')
    return c
  }

  get closed(): boolean {
    return this.#closed
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk)
    })
    socket.on('error', () => {
      this.#onClose()
    })
    socket.on('close', () => {
      this.#onClose()
    })
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    for (;;) {
      if (this.#literalLeft >= 0) {
        if (this.#buffer.length < this.#literalLeft) return
        this.#unit.push(this.#buffer.subarray(0, this.#literalLeft))
        this.#buffer = this.#buffer.subarray(this.#literalLeft)
        this.#literalLeft = -1
        continue
      }
      const lf = this.#buffer.indexOf(10)
      if (lf === -1) return
      const line = this.#buffer.subarray(0, lf + 1)
      this.#buffer = this.#buffer.subarray(lf + 1)
      this.#unit.push(line)
      const lit = /\{(\d+)\+?\}\r?\n$/.exec(line.subarray(-24).toString('latin1'))
      if (lit !== null) {
        this.#literalLeft = Number(lit[1])
        continue
      }
      const unit = Buffer.concat(this.#unit)
      this.#unit = []
      this.#deliver(unit.subarray(0, unit.at(-2) === 13 ? -2 : -1))
    }
  }

  #deliver(unit: Buffer): void {
    const i = this.#waiters.findIndex((w) => w.match(unit))
    if (i === -1) {
      this.#units.push(unit)
      return
    }
    const [w] = this.#waiters.splice(i, 1)
    w?.ok(unit)
  }

  #onClose(): void {
    if (this.#closed) return
    this.#closed = true
    for (const w of this.#closeWaiters.splice(0)) w()
  }

  /** The next response unit (line with literals) matching `match`, queued or arriving. */
  async next(match: (unit: Buffer) => boolean, timeoutMs = this.timeoutMs): Promise<Buffer> {
    const i = this.#units.findIndex(match)
    if (i !== -1) return this.#units.splice(i, 1)[0] ?? Buffer.alloc(0)
    if (this.#closed) throw new Error('IMAP connection closed')
    return new Promise((ok, fail) => {
      const onClose = (): void => {
        clearTimeout(timer)
        fail(new Error('IMAP connection closed'))
      }
      const waiter: Waiter = {
        match,
        ok: (u) => {
          clearTimeout(timer)
          this.#closeWaiters.splice(this.#closeWaiters.indexOf(onClose), 1)
          ok(u)
        },
      }
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
        this.#closeWaiters.splice(this.#closeWaiters.indexOf(onClose), 1)
        fail(new Error(`no matching IMAP response within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiters.push(waiter)
      this.#closeWaiters.push(onClose)
    })
  }

  /** Waits for an untagged response whose text matches `re` (e.g. /^\* \d+ EXISTS/). */
  async waitUntagged(re: RegExp, timeoutMs = this.timeoutMs): Promise<string> {
    const u = await this.next((b) => b[0] === 42 && re.test(b.toString('latin1')), timeoutMs)
    return u.toString('latin1')
  }

  /** Writes raw bytes. */
  write(data: string | Buffer): void {
    if (!this.#closed) this.socket.write(data)
  }

  /** Sends `TAG command` and collects everything up to the tagged completion. */
  async command(command: string | Buffer, timeoutMs = this.timeoutMs): Promise<ImapResponse> {
    const tag = `A${++this.#tag}`
    const prefix = Buffer.from(tag + ' ')
    const bytes = typeof command === 'string' ? Buffer.from(command, 'utf8') : command
    this.write(Buffer.concat([prefix, bytes, CRLF]))
    const done = await this.next((u) => u.subarray(0, prefix.length).equals(prefix), timeoutMs)
    const untagged: Buffer[] = []
    for (let u = this.#units.shift(); u !== undefined; u = this.#units.shift()) untagged.push(u)
    const rest = done.subarray(prefix.length).toString('utf8')
    const sp = rest.indexOf(' ')
    return {
      untagged,
      status: sp === -1 ? rest : rest.slice(0, sp),
      text: sp === -1 ? '' : rest.slice(sp + 1),
    }
  }

  /** Sends a command and throws unless it completes with OK. */
  async ok(command: string, timeoutMs = this.timeoutMs): Promise<ImapResponse> {
    const r = await this.command(command, timeoutMs)
    if (r.status !== 'OK') throw new Error(`${command} -> ${r.status} ${r.text}`)
    return r
  }

  async login(user: string, password: string): Promise<ImapResponse> {
    return this.ok(`LOGIN ${quoted(user)} ${quoted(password)}`)
  }

  /** STARTTLS, then a TLS handshake on the same socket (any certificate accepted). */
  async starttls(): Promise<void> {
    await this.ok('STARTTLS')
    const plain = this.socket
    plain.removeAllListeners('data')
    plain.removeAllListeners('close')
    plain.removeAllListeners('error')
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false })
    await new Promise<void>((ok, fail) => {
      secure.once('secureConnect', ok)
      secure.once('error', fail)
    })
    this.socket = secure
    this.#attach(secure)
  }

  /** Sends IDLE and waits for the continuation; end it with done(). */
  async idle(): Promise<void> {
    const tag = `A${++this.#tag}`
    this.#idleTag = tag
    this.write(`${tag} IDLE\r\n`)
    const cont = await this.next((u) => u[0] === 43 || u.toString('latin1').startsWith(tag + ' '))
    if (cont[0] !== 43) throw new Error(`IDLE refused: ${cont.toString('utf8')}`)
  }

  #idleTag = ''

  /** Ends IDLE with DONE and waits for the tagged completion. */
  async done(): Promise<string> {
    const prefix = this.#idleTag + ' '
    this.write('DONE\r\n')
    const u = await this.next((b) => b.toString('latin1').startsWith(prefix))
    return u.toString('utf8')
  }

  /** Resolves true once the server closed the connection, false after `ms`. */
  async waitClose(ms = this.timeoutMs): Promise<boolean> {
    if (this.#closed) return true
    return new Promise((ok) => {
      const timer = setTimeout(() => {
        ok(false)
      }, ms)
      this.#closeWaiters.push(() => {
        clearTimeout(timer)
        ok(true)
      })
    })
  }

  close(): void {
    this.socket.destroy()
    this.#onClose()
  }

  /** LOGOUT politely (ignores errors) and closes. */
  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT', 5000)
    } catch {
      // the server may already have closed
    }
    this.close()
  }
}
