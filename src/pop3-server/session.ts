// One POP3 session (RFC 1939): a push reader (src/pop3/reader.ts) turns bytes into lines, the
// pure parser (src/pop3/command.ts) turns lines into commands, the dispatch table
// (./commands.ts) checks the state and runs them, and every typed error becomes a "-ERR"
// response here, in `#dispatch`, and nowhere else.
//
// Invariants:
// - One line is handled at a time, in order; the socket is paused while a handler awaits, so
//   a pipelining client (RFC 2449 6.6) cannot grow our buffers beyond the reader's limit.
// - The maildrop is locked from login to the end of the session (RFC 1939 8); the lock is
//   released exactly once, when the session ends, however it ends.
// - DELE only marks. Messages are removed only in the UPDATE state after QUIT (RFC 1939 6),
//   in one store transaction; a session that ends any other way removes nothing.
// - Message numbers, sizes and UIDLs come from the snapshot taken at login; bodies are read
//   by mailbox and UID, so a message expunged meanwhile (by IMAP) is answered "-ERR", never
//   served as another message's bytes. If it vanishes mid-response, the connection closes.
// - Message bodies are streamed in pieces with back-pressure (socket drain), never held whole.
// - After STLS, the reader is replaced and bytes the client pipelined after the command are
//   discarded (RFC 2595 4): nothing said in clear text is reused.
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { Pop3Reader, type Pop3Input } from '../pop3/reader.ts'
import { commandKeyword, parseCommand } from '../pop3/command.ts'
import { Pop3Error, RespSysTemp, badCommand } from '../pop3/codes.ts'
import { DotStuffer, formatErr, formatOk, type WireChunk } from '../pop3/response.ts'
import { SerialPump } from '../net/serial-pump.ts'
import { commandTable, KNOWN_KEYWORDS } from './commands.ts'
import { continueSasl } from './commands/auth.ts'
import type {
  AuthorizationState,
  ConnectionInfo,
  Pop3Deps,
  Pop3State,
  TransactionState,
} from './session-state.ts'

/** Bytes a session lets the socket buffer before it waits for a drain. */
const MAX_BUFFERED_BYTES = 1024 * 1024
/** Corked bytes past which the end of a multi-line response is sent without waiting. */
const FLUSH_BYTES = 256 * 1024

export type SessionEnd = 'quit' | 'timeout' | 'too-many-errors' | 'closed' | 'shutdown' | 'error'

export class Pop3Session {
  readonly deps: Pop3Deps
  readonly conn: ConnectionInfo
  state: Pop3State = { kind: 'authorization', authFailures: 0, user: undefined, sasl: undefined }
  isTls: boolean
  /** RFC 6856 3.1: the client sent UTF8. */
  isUtf8 = false
  /** Messages sent with RETR in this session (for the log line at the end). */
  retrieved = 0
  #socket: Socket
  #reader: Pop3Reader
  #badCommands = 0
  readonly #pump: SerialPump<Pop3Input>
  #isInMultiline = false
  #ended: SessionEnd | undefined
  #isStopping = false
  readonly #startedAt: number
  readonly #onEnd: () => void

  constructor(opts: {
    socket: Socket
    deps: Pop3Deps
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
      canContinue: () => this.#ended === undefined && !this.#isStopping,
      onError: (err) => {
        this.deps.logger.error({ event: 'pop3.session-error', err, ...this.logFields() })
        this.#closeWith('error', formatErr(RespSysTemp, 'internal error'))
      },
      onDrained: () => {
        if (this.#isStopping) this.stop()
      },
    })
    this.#attach(opts.socket)
  }

  /** RFC 1939 4: the greeting. */
  start(): void {
    this.deps.logger.info({ event: 'pop3.session-start', tls: this.isTls, ...this.logFields() })
    this.write(formatOk(`${this.deps.settings.hostname} Postern POP3 server ready`))
  }

  /** A method, not a getter: callers ask again after every await. */
  hasEnded(): boolean {
    return this.#ended !== undefined
  }

  write(text: string | Buffer): void {
    if (this.#ended === undefined) this.#socket.write(text)
  }

  /** The narrowed AUTHORIZATION state (the dispatch table has checked it). */
  authorization(): AuthorizationState {
    if (this.state.kind !== 'authorization') throw new Error('not in AUTHORIZATION state')
    return this.state
  }

  /** The narrowed TRANSACTION state (the dispatch table has checked it). */
  transaction(): TransactionState {
    if (this.state.kind !== 'transaction') throw new Error('not in TRANSACTION state')
    return this.state
  }

  /**
   * Sends "+OK text", then the pieces byte-stuffed, then "." (RFC 1939 3), waiting for the
   * socket to drain whenever its buffer is full.
   */
  async sendMultiline(text: string, pieces: AsyncIterable<Buffer>): Promise<void> {
    this.write(formatOk(text))
    this.#isInMultiline = true
    const stuffer = new DotStuffer()
    for await (const piece of pieces) {
      if (this.#ended !== undefined) return
      await this.#writeWithBackpressure(stuffer.push(piece))
    }
    this.write(stuffer.end())
    this.#isInMultiline = false
    // Pipelined responses share a write until FLUSH_BYTES are corked: fewer, larger syscalls.
    // The pump uncorks when no command is left, so a lone response goes out at once.
    if (this.#socket.writableLength >= FLUSH_BYTES) this.#flush()
  }

  /** Asks the session to end: now if idle, else after the command in progress. */
  stop(): void {
    this.#isStopping = true
    if (!this.#pump.isBusy)
      this.#closeWith('shutdown', formatErr(RespSysTemp, 'server shutting down'))
  }

  /** Ends the session at once (after the shutdown grace period). */
  destroy(): void {
    this.#end('shutdown')
    this.#socket.destroy()
  }

  /** Ends the session after the response already written (QUIT). */
  quit(): void {
    this.#closeWith('quit', undefined)
  }

  /** STLS (RFC 2595 4): the "+OK" is written, then the TLS handshake starts. */
  startTls(): void {
    const tlsOpts = this.deps.tls
    if (!tlsOpts) return
    const raw = this.#socket
    raw.uncork() // the +OK goes out before the handshake starts
    raw.removeAllListeners('data')
    raw.removeAllListeners('timeout')
    const secure = new TLSSocket(raw, { isServer: true, cert: tlsOpts.cert, key: tlsOpts.key })
    this.#socket = secure
    this.isTls = true
    this.#reader = this.#newReader() // RFC 2595 4: discard what was pipelined in clear text
    this.#attach(secure)
    secure.once('error', (err: Error) => {
      this.deps.logger.info({ event: 'pop3.tls-failed', err: err.message, ...this.logFields() })
    })
  }

  #newReader(): Pop3Reader {
    return new Pop3Reader({ maxLineBytes: this.deps.settings.maxLineBytes })
  }

  #attach(socket: Socket): void {
    socket.setTimeout(this.deps.settings.idleTimeoutMs)
    socket.on('timeout', () => {
      this.deps.logger.info({ event: 'pop3.timeout', ...this.logFields() })
      // RFC 1939 3: the autologout timer ends the session without entering UPDATE.
      this.#closeWith('timeout', formatErr(undefined, 'autologout: idle for too long'))
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

  /** After each input: past the bad-command limit the session ends. */
  async #handle(input: Pop3Input): Promise<void> {
    await this.#dispatch(input)
    if (this.#badCommands >= this.deps.settings.maxBadCommands) {
      this.deps.logger.info({ event: 'pop3.too-many-bad-commands', ...this.logFields() })
      this.#closeWith('too-many-errors', formatErr(undefined, 'too many bad commands'))
    }
  }

  /** The one place where lines run and typed errors become "-ERR" responses. */
  async #dispatch(input: Pop3Input): Promise<void> {
    const keyword = input.kind === 'line' ? metricKeyword(input.line, this.state) : 'OTHER'
    try {
      await this.#run(input)
      this.deps.metrics.pop3Commands.inc({ command: keyword, result: 'ok' })
    } catch (err) {
      this.deps.metrics.pop3Commands.inc({ command: keyword, result: 'err' })
      if (this.#isInMultiline || !(err instanceof Pop3Error)) {
        // Half a multi-line response cannot be followed by "-ERR": the connection closes.
        this.deps.logger.error({ event: 'pop3.session-error', err, ...this.logFields() })
        this.#closeWith('error', this.#isInMultiline ? undefined : formatErr(RespSysTemp, 'error'))
        return
      }
      if (err.isBadCommand) this.#badCommands++
      if (err.closes) this.#closeWith('error', formatErr(err.code, err.text))
      else this.write(formatErr(err.code, err.text))
    }
  }

  async #run(input: Pop3Input): Promise<void> {
    if (input.kind === 'line-too-long') throw badCommand('line too long')
    const { state } = this
    if (state.kind === 'authorization' && state.sasl !== undefined) {
      await continueSasl(this, state, input.line)
      return
    }
    const command = parseCommand(input.line)
    const spec = commandTable[command.kind]
    if (!spec.states.includes(state.kind)) {
      throw badCommand(`${command.kind.toUpperCase()} is not allowed in the ${state.kind} state`)
    }
    // The spec's run is typed by the table; the command's kind selects it.
    await (spec.run as (s: Pop3Session, c: typeof command) => Promise<void> | void)(this, command)
  }

  /**
   * Writes a piece of a multi-line response. The socket may buffer up to one store piece
   * beyond its own high-water mark; past that, wait until it drains (or closes).
   */
  async #writeWithBackpressure(chunk: WireChunk): Promise<void> {
    const socket = this.#socket
    socket.write(chunk, 'latin1') // a Buffer ignores the encoding; a string is latin1 bytes
    if (socket.writableLength <= MAX_BUFFERED_BYTES) return
    socket.uncork()
    await new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('drain', done)
        socket.off('close', done)
        resolve()
      }
      socket.on('drain', done)
      socket.on('close', done)
    })
    socket.cork()
  }

  /** Sends what is corked now (the end of a multi-line response), and corks again. */
  #flush(): void {
    this.#socket.uncork()
    this.#socket.cork()
  }

  #closeWith(end: SessionEnd, text: string | undefined): void {
    if (this.#ended !== undefined) return
    const socket = this.#socket
    if (text !== undefined) socket.write(text)
    this.#end(end)
    socket.end()
    // A client that never reads must not keep the socket: destroy after a short while.
    setTimeout(() => socket.destroy(), 2000).unref()
  }

  #end(end: SessionEnd): void {
    if (this.#ended !== undefined) return
    this.#ended = end
    // RFC 1939 6: without QUIT there is no UPDATE state; marked messages stay.
    if (this.state.kind === 'transaction') this.state.unlock()
    this.deps.logger.info({
      event: 'pop3.session-end',
      outcome: end,
      retrieved: this.retrieved,
      badCommands: this.#badCommands,
      tls: this.isTls,
      durationMs: this.deps.clock() - this.#startedAt,
      ...this.logFields(),
    })
    this.#onEnd()
  }

  logFields(): Record<string, unknown> {
    return {
      cid: this.conn.id,
      remote: this.conn.remoteAddress,
      listener: this.deps.settings.listener,
    }
  }
}

/** The keyword of a line, for metrics (bounded: unknown keywords and SASL lines are "OTHER"). */
function metricKeyword(line: string, state: Pop3State): string {
  if (state.kind === 'authorization' && state.sasl !== undefined) return 'AUTH'
  const keyword = commandKeyword(line)
  return KNOWN_KEYWORDS.has(keyword) ? keyword : 'OTHER'
}
