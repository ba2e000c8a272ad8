// One SMTP session (RFC 5321) on the "mx" role: a push reader (src/smtp/reader.ts) turns bytes
// into command lines and message bodies, the pure parser (src/smtp/command.ts) turns lines into
// commands, the dispatch table (./commands.ts) checks the state and runs them, and every typed
// error becomes a reply here, in `#dispatch`, and nowhere else.
//
// Invariants:
// - One input is handled at a time, in order (net/serial-pump.ts); the socket is paused while a handler awaits,
//   so a pipelining client cannot grow our buffers beyond the reader's limits.
// - "250" after DATA/BDAT is written only after store.accept() resolved: the message is on
//   disk (fsync, group commit).
// - After STARTTLS, all state is reset and bytes the client pipelined after the command are
//   discarded (RFC 3207 4.2): nothing said in clear text is reused.
// - Replies are corked while inputs are being handled and flushed when the reader runs dry,
//   so pipelined commands get their replies in one write (RFC 2920 3.2).
// - During a SASL exchange (after a 334) the next line is the client's response, never a
//   command (RFC 4954 4). The authenticated account is forgotten with STARTTLS.
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { SmtpReader, type SmtpInput } from '../smtp/reader.ts'
import { parseCommand } from '../smtp/command.ts'
import {
  SmtpReplyError,
  formatReply,
  C220ServiceReady,
  C421ServiceUnavailable,
  C451LocalError,
  C500SyntaxError,
  Es442BadConnection,
  Es432NotAccepting,
  Es471DeliveryNotAuthorized,
  Es430OtherSystem,
  Es552SyntaxError,
  Es556AuthLineTooLong,
} from '../smtp/codes.ts'
import { SerialPump } from '../net/serial-pump.ts'
import { commandTable } from './commands.ts'
import { runData, runBdatChunk, rejectMessage } from './message-input.ts'
import type { ConnectionInfo, Greeting, SmtpDeps, Transaction } from './session-state.ts'
import type { AuthenticatedUser, SaslExchange } from './submission-state.ts'
import { continueAuth } from './commands/auth.ts'

export type SessionEnd = 'quit' | 'timeout' | 'too-many-errors' | 'closed' | 'shutdown' | 'error'

export class SmtpSession {
  readonly deps: SmtpDeps
  readonly conn: ConnectionInfo
  greeting: Greeting = { kind: 'none' }
  transaction: Transaction | undefined
  isTls: boolean
  /** The account this session authenticated as (submission listeners, RFC 4954). */
  authenticated: AuthenticatedUser | undefined
  /** A SASL exchange waiting for the client's next line. */
  sasl: SaslExchange | undefined
  /** Messages accepted in this session (for the log line at the end). */
  accepted = 0
  #socket: Socket
  #reader: SmtpReader
  #errors = 0
  readonly #pump: SerialPump<SmtpInput>
  #ended: SessionEnd | undefined
  #stopping = false
  #sessionTimer: NodeJS.Timeout
  readonly #startedAt: number
  readonly #onEnd: () => void

  constructor(opts: {
    socket: Socket
    deps: SmtpDeps
    conn: ConnectionInfo
    isTls: boolean
    /** Called once when the session has ended. */
    onEnd: () => void
  }) {
    this.deps = opts.deps
    this.conn = opts.conn
    this.isTls = opts.isTls
    this.#socket = opts.socket
    this.#onEnd = opts.onEnd
    this.#startedAt = opts.deps.clock()
    this.#reader = this.#newReader()
    this.#pump = new SerialPump({
      socket: () => this.#socket,
      next: () => this.#reader.next(),
      handle: (input) => this.#handle(input),
      // A stopping session takes no new transaction; one in progress may finish.
      canContinue: () =>
        this.#ended === undefined && !(this.#stopping && this.transaction === undefined),
      onError: (err) => {
        this.deps.logger.error({ event: 'smtp.session-error', err, ...this.#logFields() })
        this.#closeWith('error', formatReply(C451LocalError, Es430OtherSystem, 'internal error'))
      },
      onDrained: () => {
        if (this.#stopping && this.isIdle) this.stop()
      },
    })
    const { settings } = opts.deps
    this.#sessionTimer = setTimeout(() => {
      this.#closeWith('timeout', '421 4.4.2 session time limit reached')
    }, settings.sessionTimeoutMs)
    this.#attach(opts.socket)
  }

  start(): void {
    this.deps.logger.info({ event: 'smtp.session-start', ...this.#logFields() })
    this.write(
      formatReply(C220ServiceReady, undefined, `${this.deps.settings.hostname} ESMTP Postern`),
    )
  }

  get isEnded(): boolean {
    return this.#ended !== undefined
  }

  /** Whether a mail transaction is open (for graceful shutdown). */
  get isIdle(): boolean {
    return !this.#pump.isBusy && this.transaction === undefined
  }

  write(text: string): void {
    if (this.#ended === undefined) this.#socket.write(text)
  }

  reply(code: number, enhanced: string | undefined, text: string | string[]): void {
    this.write(formatReply(code, enhanced, text))
  }

  /** Asks the session to end: now if idle, else after the transaction in progress. */
  stop(): void {
    this.#stopping = true
    if (this.isIdle) this.#closeWith('shutdown', `421 4.3.2 ${this.#host()} shutting down`)
  }

  /** Ends the session at once (after the shutdown grace period). */
  destroy(): void {
    this.#end('shutdown')
    this.#socket.destroy()
  }

  quit(): void {
    this.#closeWith('quit', undefined)
  }

  startData(): void {
    this.#reader.startData()
  }

  startBdat(size: number, last: boolean): void {
    this.#reader.startBdat(size, last)
  }

  resetMessageSize(): void {
    this.#reader.resetMessage()
  }

  /** Counts a client error; past the limit the session ends with 421 (RFC 5321 4.2.2). */
  countError(): void {
    this.#errors++
  }

  /** STARTTLS: the 220 is written, then the TLS handshake starts on the same socket. */
  startTls(): void {
    const tlsOpts = this.deps.tls
    if (!tlsOpts) return
    const raw = this.#socket
    raw.uncork() // the 220 goes out before the handshake starts
    raw.removeAllListeners('data')
    raw.removeAllListeners('timeout')
    const secure = new TLSSocket(raw, { isServer: true, cert: tlsOpts.cert, key: tlsOpts.key })
    this.#socket = secure
    this.isTls = true
    // RFC 3207 4.2: forget everything, including input pipelined after STARTTLS.
    this.#reader = this.#newReader()
    this.greeting = { kind: 'none' }
    this.transaction = undefined
    this.authenticated = undefined
    this.sasl = undefined
    this.#attach(secure)
    secure.once('error', (err: Error) => {
      this.deps.logger.info({ event: 'smtp.tls-failed', err: err.message, ...this.#logFields() })
    })
  }

  #newReader(): SmtpReader {
    const { settings } = this.deps
    return new SmtpReader({
      maxLineBytes: settings.maxLineBytes,
      maxMessageBytes: settings.maxMessageBytes,
    })
  }

  #attach(socket: Socket): void {
    socket.setTimeout(this.deps.settings.idleTimeoutMs)
    socket.on('timeout', () => {
      this.#closeWith('timeout', '421 4.4.2 idle timeout, closing connection')
    })
    socket.on('data', (chunk: Buffer) => {
      this.#reader.feed(chunk)
      this.#pump.run()
    })
    socket.on('error', () => {
      this.#end('closed')
    })
    socket.on('close', () => {
      this.#end('closed')
    })
  }

  /** After each input: past the error limit the session ends with 421 (RFC 5321 4.2.2). */
  async #handle(input: SmtpInput): Promise<void> {
    await this.#dispatch(input)
    if (this.#errors >= this.deps.settings.maxErrors) {
      this.deps.logger.info({ event: 'smtp.too-many-errors', ...this.#logFields() })
      this.#closeWith('too-many-errors', '421 4.7.0 too many errors, closing connection')
    }
  }

  /** The one place where inputs run and typed errors become replies. */
  async #dispatch(input: SmtpInput): Promise<void> {
    try {
      await this.#run(input)
    } catch (err) {
      if (!(err instanceof SmtpReplyError)) throw err
      if (err.code >= 500 || err.code === 421) this.countError()
      if (this.deps.settings.errorDelayMs > 0)
        await this.deps.sleep(this.deps.settings.errorDelayMs)
      if (err.closes) this.#closeWith('error', formatReply(err.code, err.enhanced, err.text))
      else this.reply(err.code, err.enhanced, err.text)
      this.deps.metrics.smtpCommands.inc({
        command: input.kind === 'line' ? commandName(input.line) : input.kind,
        result: err.code >= 500 ? 'perm' : 'temp',
      })
    }
  }

  async #run(input: SmtpInput): Promise<void> {
    const exchange = this.sasl
    if (exchange !== undefined && (input.kind === 'line' || input.kind === 'line-too-long')) {
      this.sasl = undefined
      // RFC 4954 4: the line after a 334 is a SASL response; too long is 500 5.5.6.
      if (input.kind === 'line-too-long') {
        throw new SmtpReplyError(C500SyntaxError, Es556AuthLineTooLong, 'SASL response too long')
      }
      await continueAuth(this, exchange, input.line)
      return
    }
    switch (input.kind) {
      case 'line': {
        const command = parseCommand(input.line, {
          smtputf8Allowed: this.transaction?.params.smtputf8 === true,
        })
        const spec = commandTable[command.kind]
        spec.check(this)
        // The spec's run is typed by the table; the command's kind selects it.
        await (spec.run as (s: SmtpSession, c: typeof command) => Promise<void> | void)(
          this,
          command,
        )
        this.deps.metrics.smtpCommands.inc({ command: command.kind.toUpperCase(), result: 'ok' })
        return
      }
      case 'line-too-long':
        throw new SmtpReplyError(C500SyntaxError, Es552SyntaxError, 'line too long')
      case 'data':
        await runData(this, input.body, input.bareLineEnds)
        return
      case 'bdat-chunk':
        await runBdatChunk(this, input.body, input.last)
        return
      case 'data-too-large':
      case 'bdat-too-large':
        rejectMessage(this, 'too-large')
        return
    }
  }

  #closeWith(end: SessionEnd, text: string | undefined): void {
    if (this.#ended !== undefined) return
    const socket = this.#socket
    if (text !== undefined) socket.write(text.endsWith('\r\n') ? text : `${text}\r\n`)
    this.#end(end)
    socket.end()
    // A client that never reads must not keep the socket: destroy after a short while.
    setTimeout(() => socket.destroy(), 2000).unref()
  }

  #end(end: SessionEnd): void {
    if (this.#ended !== undefined) return
    this.#ended = end
    clearTimeout(this.#sessionTimer)
    this.deps.logger.info({
      event: 'smtp.session-end',
      outcome: end,
      accepted: this.accepted,
      errors: this.#errors,
      tls: this.isTls,
      durationMs: this.deps.clock() - this.#startedAt,
      ...this.#logFields(),
    })
    this.#onEnd()
  }

  #host(): string {
    return this.deps.settings.hostname
  }

  #logFields(): Record<string, unknown> {
    return { cid: this.conn.id, remote: this.conn.remoteAddress, role: this.deps.settings.role }
  }

  logFields(): Record<string, unknown> {
    return this.#logFields()
  }
}

/** Replies for refusing a connection before a session exists (connection limits). */
export const refuseConnection = {
  tooManyFromIp: formatReply(
    C421ServiceUnavailable,
    Es471DeliveryNotAuthorized,
    'too many connections from your address, try again later',
  ),
  tooMany: formatReply(C421ServiceUnavailable, Es432NotAccepting, 'too busy, try later'),
  shuttingDown: formatReply(C421ServiceUnavailable, Es442BadConnection, 'shutting down'),
}

/** The verb of a command line, for metrics (bounded: unknown verbs are "OTHER"). */
function commandName(line: string): string {
  const verb = line.split(' ', 1)[0]?.toUpperCase() ?? ''
  return KNOWN_VERBS.has(verb) ? verb : 'OTHER'
}

const KNOWN_VERBS = new Set(Object.keys(commandTable).map((k) => k.toUpperCase()))
