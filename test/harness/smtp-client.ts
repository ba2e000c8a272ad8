// A small SMTP client for end-to-end tests: raw lines in, parsed replies out (multi-line
// aware), optional STARTTLS upgrade. It does exactly what the test says, nothing more, so
// it can also send malformed input.
import assert from 'node:assert/strict'
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'

export interface SmtpReply {
  code: number
  /** Text of each line, without the code and separator. */
  lines: string[]
  /** Enhanced status code of the first line, if any (e.g. `5.1.1`). */
  enhanced: string | undefined
  /** The reply as received, lines joined with \n. */
  raw: string
}

const DEFAULT_TIMEOUT_MS = 15_000

export class SmtpClient {
  socket: Socket | TLSSocket
  greeting: SmtpReply | undefined
  #buffer = Buffer.alloc(0)
  #pendingLines: string[] = []
  #replies: SmtpReply[] = []
  #waiters: { ok: (r: SmtpReply) => void; fail: (e: Error) => void }[] = []
  #closed = false
  #closeWaiters: (() => void)[] = []
  timeoutMs: number

  private constructor(socket: Socket, timeoutMs: number) {
    this.socket = socket
    this.timeoutMs = timeoutMs
    this.#attach(socket)
  }

  /** Connects to 127.0.0.1:port and reads the greeting (unless `readGreeting` is false). */
  static async connect(
    port: number,
    opts: { host?: string; timeoutMs?: number; readGreeting?: boolean } = {},
  ): Promise<SmtpClient> {
    const socket = netConnect({ port, host: opts.host ?? '127.0.0.1' })
    await new Promise<void>((ok, fail) => {
      socket.once('connect', ok)
      socket.once('error', fail)
    })
    const c = new SmtpClient(socket, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    if (opts.readGreeting !== false) c.greeting = await c.read()
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
    this.#buffer = Buffer.concat([this.#buffer, chunk])
    for (;;) {
      const lf = this.#buffer.indexOf(10)
      if (lf === -1) break
      let line = this.#buffer.subarray(0, lf).toString('utf8')
      if (line.endsWith('\r')) line = line.slice(0, -1)
      this.#buffer = this.#buffer.subarray(lf + 1)
      this.#pendingLines.push(line)
      if (line.charAt(3) !== '-') this.#finishReply()
    }
  }

  #finishReply(): void {
    const lines = this.#pendingLines
    this.#pendingLines = []
    const first = lines[0] ?? ''
    const code = Number(first.slice(0, 3))
    const texts = lines.map((l) => l.slice(4))
    const enh = /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(texts[0] ?? '')
    const reply: SmtpReply = {
      code: Number.isInteger(code) ? code : -1,
      lines: texts,
      enhanced: enh?.[1],
      raw: lines.join('\n'),
    }
    const waiter = this.#waiters.shift()
    if (waiter !== undefined) waiter.ok(reply)
    else this.#replies.push(reply)
  }

  #onClose(): void {
    if (this.#closed) return
    this.#closed = true
    for (const w of this.#waiters.splice(0)) w.fail(new Error('connection closed'))
    for (const w of this.#closeWaiters.splice(0)) w()
  }

  /** The next reply (rejects on close or after the timeout). */
  async read(timeoutMs = this.timeoutMs): Promise<SmtpReply> {
    const ready = this.#replies.shift()
    if (ready !== undefined) return ready
    if (this.#closed) throw new Error('connection closed')
    return new Promise((ok, fail) => {
      const waiter = {
        ok: (r: SmtpReply) => {
          clearTimeout(timer)
          ok(r)
        },
        fail: (e: Error) => {
          clearTimeout(timer)
          fail(e)
        },
      }
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter)
        if (i !== -1) this.#waiters.splice(i, 1)
        fail(new Error(`no SMTP reply within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiters.push(waiter)
    })
  }

  /** True if a reply arrives within `ms` (it stays queued for read()). */
  async hasReplyWithin(ms: number): Promise<boolean> {
    if (this.#replies.length > 0) return true
    try {
      const r = await this.read(ms)
      this.#replies.unshift(r)
      return true
    } catch {
      return this.#replies.length > 0
    }
  }

  /** Writes raw bytes. */
  write(data: string | Buffer): void {
    if (!this.#closed) this.socket.write(data)
  }

  /** Writes `line` + CRLF. */
  send(line: string): void {
    this.write(line + '\r\n')
  }

  async command(line: string): Promise<SmtpReply> {
    this.send(line)
    return this.read()
  }

  /** Sends `line` and asserts the reply code. */
  async transact(code: number, line: string): Promise<SmtpReply> {
    const r = await this.command(line)
    assert.equal(r.code, code, `${line} -> ${r.raw}`)
    return r
  }

  /** Sends STARTTLS, expects 220, and upgrades the socket (any certificate accepted). */
  async starttls(): Promise<void> {
    await this.transact(220, 'STARTTLS')
    await this.upgradeTls()
  }

  /** Starts the TLS handshake on the current socket (after the server's 220). */
  async upgradeTls(): Promise<void> {
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

  /** The next reply, or 'closed' when the server closes the connection first. */
  async readOrClose(timeoutMs = this.timeoutMs): Promise<SmtpReply | 'closed'> {
    try {
      return await this.read(timeoutMs)
    } catch (err) {
      if (this.#closed) return 'closed'
      throw err
    }
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

  /** QUIT politely (ignores errors) and closes. */
  async quit(): Promise<void> {
    try {
      await this.command('QUIT')
    } catch {
      // the server may already have closed
    }
    this.close()
  }

  /** One MAIL/RCPT/DATA transaction without pipelining; returns the final reply. */
  async sendMail(from: string, to: string[], message: string | Buffer): Promise<SmtpReply> {
    await this.transact(250, `MAIL FROM:<${from}>`)
    for (const rcpt of to) await this.transact(250, `RCPT TO:<${rcpt}>`)
    await this.transact(354, 'DATA')
    this.write(dataBlock(message))
    return this.read()
  }
}

/** Dot-stuffs a message (CRLF line ends) and appends the terminator `.CRLF`. */
export function dataBlock(message: string | Buffer): Buffer {
  let text = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
  if (text.length > 0 && !text.subarray(-2).equals(Buffer.from('\r\n'))) {
    text = Buffer.concat([text, Buffer.from('\r\n')])
  }
  const stuffed = text.toString('latin1').replace(/(^|\r\n)\./g, '$1..')
  return Buffer.concat([Buffer.from(stuffed, 'latin1'), Buffer.from('.\r\n')])
}

/** A small RFC 5322 message with a unique Message-ID and Subject. */
export function makeMessage(opts: {
  id: string
  from?: string
  to?: string
  body?: string
  domain?: string
}): string {
  const domain = opts.domain ?? 'client.test'
  return [
    `From: <${opts.from ?? `sender@${domain}`}>`,
    `To: <${opts.to ?? 'rcpt@example.test'}>`,
    `Subject: test ${opts.id}`,
    `Message-ID: <${opts.id}@${domain}>`,
    `Date: ${new Date().toUTCString()}`,
    '',
    opts.body ?? `Body of ${opts.id}.`,
    '',
  ].join('\r\n')
}
