// One IMAP session (RFC 9051, IMAP4rev1 RFC 3501 for older clients): the push reader
// (src/imap/reader.ts) turns bytes into commands with their literals, the pure parser
// (src/imap/parser.ts) types them, the dispatch table (./commands.ts) says in which states
// each is allowed and runs it, and the response builder (src/imap/response.ts) writes with
// back-pressure. `#dispatch` is the one place where typed errors become BAD/NO.
//
// Invariants:
// - One input is handled at a time, in order; the socket is paused while a handler awaits,
//   so a pipelining client cannot grow our buffers beyond the reader's limits.
// - A command's tagged OK is written only after its store writes resolved, and the store
//   resolves after the commit is on disk: APPEND, STORE, EXPUNGE, COPY, MOVE are durable
//   before OK.
// - Changes from the store's change feed are only queued (SelectedMailbox); they are written
//   before a tagged completion, or at once while IDLE, never in the middle of a response.
//   EXPUNGE/VANISHED is never sent when FETCH, STORE or SEARCH completes (RFC 9051 7.4.1).
// - Every store call names the session's own account id; a mailbox name is only ever looked
//   up within that account, so no name reaches another user's mailboxes.
// - After STARTTLS the reader is replaced and bytes pipelined after the command are
//   discarded (RFC 9051 6.2.1): nothing said in clear text is reused.
// - Literals are refused before their bytes are read when over the limit (reader) or sent
//   before authentication with more than PRE_AUTH_LITERAL_BYTES (RFC 9051 7.5).
// - The per-account slot taken at login is released exactly once, when the session ends.
import type { Socket } from 'node:net'
import { SerialPump } from '../net/serial-pump.ts'
import { TLSSocket } from 'node:tls'
import { ImapReader, type ImapInput } from '../imap/reader.ts'
import { parseCommand, type CommandName, type ImapCommand } from '../imap/parser.ts'
import { ProtocolBad, ProtocolNo, type ResponseCodeLike } from '../imap/errors.ts'
import {
  atom,
  continuation,
  list,
  num,
  status,
  untagged,
  writeResponse,
  type ResponseLine,
  type ResponseSink,
} from '../imap/response.ts'
import { formatSequenceSet } from '../imap/sequence-set.ts'
import { isStoreError } from '../store/store-error.ts'
import { capabilityList } from './capabilities.ts'
import { storeErrorCompletion } from './store-error-response.ts'
import { commandTable } from './commands.ts'
import type { CommandResult } from './command-spec.ts'
import { continueSasl } from './commands/authenticate.ts'
import type { SelectedMailbox } from './selected-mailbox.ts'
import type {
  AccountRef,
  ConnectionInfo,
  Enabled,
  ImapDeps,
  ImapState,
  SaslExchange,
  SelectedState,
} from './session-state.ts'

export type SessionEnd = 'logout' | 'timeout' | 'too-many-errors' | 'closed' | 'shutdown' | 'error'

/** Literal octets accepted before authentication (a LOGIN password, an ID value). */
const PRE_AUTH_LITERAL_BYTES = 8192
/** Room for the command text around the largest literal. */
const COMMAND_OVERHEAD_BYTES = 64 * 1024

/** A tagged completion (RFC 9051 7.1). */
export interface Completion {
  status: 'OK' | 'NO' | 'BAD'
  text: string
  code?: ResponseCodeLike | undefined
}

export class ImapSession {
  readonly deps: ImapDeps
  readonly conn: ConnectionInfo
  state: ImapState = { kind: 'not-authenticated', authFailures: 0 }
  isTls: boolean
  readonly enabled: Enabled = { condstore: false, qresync: false, utf8: false, imap4rev2: false }
  /** RFC 5182: the last SEARCH RETURN (SAVE) result, as UIDs. */
  savedSearch: number[] = []
  #socket: Socket
  #reader: ImapReader
  #badCommands = 0
  readonly #pump: SerialPump<ImapInput>
  #ended: SessionEnd | undefined
  #isStopping = false
  #current: { tag: string | undefined; name: string; canExpunge: boolean } = {
    tag: undefined,
    name: 'OTHER',
    canExpunge: true,
  }
  #idleTag: string | undefined
  #idlePush: Promise<void> | undefined
  #sasl: SaslExchange | undefined
  #afterReply: 'starttls' | 'logout' | 'too-many-login-failures' | undefined
  #releaseAccount: (() => void) | undefined
  #stopWatching: (() => void) | undefined
  readonly #startedAt: number
  readonly #onEnd: () => void
  readonly #sink: ResponseSink = {
    write: (buf) => (this.#ended === undefined ? this.#socket.write(buf) : true),
    waitDrain: () => this.#waitDrain(),
  }

  constructor(opts: {
    socket: Socket
    deps: ImapDeps
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
        this.deps.logger.error({ event: 'imap.session-error', err, ...this.logFields() })
        this.#closeWith('error', 'internal error')
      },
      onDrained: () => {
        if (this.#isStopping && this.#ended === undefined) this.stop()
      },
    })
    this.#attach(opts.socket)
  }

  /** RFC 9051 7.1.1: the greeting, with the capabilities (saves a round trip). */
  start(): void {
    this.deps.logger.info({ event: 'imap.session-start', tls: this.isTls, ...this.logFields() })
    this.#writeNow(
      status('*', 'OK', `${this.deps.settings.hostname} Postern IMAP4rev2 server ready`, {
        name: 'CAPABILITY',
        args: this.capabilities().map(atom),
      }),
    )
  }

  hasEnded(): boolean {
    return this.#ended !== undefined
  }

  /** Writes one response line, waiting for the socket to drain when its buffer is full. */
  async send(line: ResponseLine): Promise<void> {
    if (this.#ended !== undefined) return
    try {
      await writeResponse(this.#sink, line)
    } catch (err) {
      // Half a response (a streamed literal cut short) cannot be completed: close.
      this.#closeWith('error', undefined)
      throw err
    }
  }

  get isUtf8(): boolean {
    return this.enabled.utf8 || this.enabled.imap4rev2
  }

  /** The capabilities for the current state and connection (RFC 9051 7.2.2). */
  capabilities(): string[] {
    return capabilityList({
      isNotAuthenticated: this.state.kind === 'not-authenticated',
      canStartTls: !this.isTls && this.deps.tls !== undefined,
      canLogIn: this.canLogIn(),
      appendLimit: this.deps.settings.maxLiteralBytes,
    })
  }

  /** Whether credentials may be sent on this connection (TLS, or an allowed network). */
  canLogIn(): boolean {
    return this.isTls || this.deps.settings.isPlaintextAllowed(this.conn.remoteAddress)
  }

  /** The account of an authenticated or selected session (the table has checked the state). */
  account(): AccountRef {
    if (this.state.kind !== 'authenticated' && this.state.kind !== 'selected') {
      throw new Error('not authenticated')
    }
    return this.state.account
  }

  selected(): SelectedState {
    if (this.state.kind !== 'selected') throw new Error('no mailbox selected')
    return this.state
  }

  /** Enters the authenticated state; NO [LIMIT] when the account has too many sessions. */
  logIn(account: AccountRef): void {
    const release = this.deps.accountSlots.acquire(account.id)
    if (release === undefined) {
      throw new ProtocolNo('LIMIT', 'too many connections for this account') // RFC 9051 7.1
    }
    this.#releaseAccount = release
    this.state = { kind: 'authenticated', account }
    this.deps.metrics.imapLogins.inc({ result: 'ok' })
    this.deps.logger.info({ event: 'imap.login', user: account.address, ...this.logFields() })
  }

  /** Counts a failed login, waits the delay, and throws NO [AUTHENTICATIONFAILED]. */
  async failLogin(user: string): Promise<never> {
    const { deps } = this
    if (this.state.kind === 'not-authenticated') this.state.authFailures++
    deps.metrics.imapLogins.inc({ result: 'failed' })
    deps.logger.info({ event: 'imap.login-failed', user, ...this.logFields() })
    if (deps.settings.loginFailureDelayMs > 0) await deps.sleep(deps.settings.loginFailureDelayMs)
    const failures = this.state.kind === 'not-authenticated' ? this.state.authFailures : 0
    if (failures >= deps.settings.maxLoginFailures) this.#afterReply = 'too-many-login-failures'
    throw new ProtocolNo('AUTHENTICATIONFAILED', 'invalid user name or password')
  }

  /** Selects a mailbox view and starts receiving its changes. */
  select(mailbox: SelectedMailbox, readOnly: boolean): void {
    const account = this.account()
    this.unselect()
    mailbox.onQueued = () => {
      this.#onMailboxChange()
    }
    this.#stopWatching = this.deps.hub.watch(mailbox.id, (changes) => {
      mailbox.queue(changes)
    })
    this.state = { kind: 'selected', account, mailbox, readOnly }
  }

  /** Back to the authenticated state (CLOSE, UNSELECT, a failed SELECT). */
  unselect(): void {
    this.#stopWatching?.()
    this.#stopWatching = undefined
    if (this.state.kind === 'selected') {
      this.state.mailbox.onQueued = undefined
      this.state = { kind: 'authenticated', account: this.state.account }
    }
  }

  /** STARTTLS: the handshake starts once the tagged OK is written. */
  startTlsAfterReply(): void {
    this.#afterReply = 'starttls'
  }

  /** LOGOUT: "* BYE" is written by the handler; the connection closes after the OK. */
  logoutAfterReply(): void {
    this.state = { kind: 'logout' }
    this.#afterReply = 'logout'
  }

  /** IDLE (RFC 2177): "+ idling" is written; updates are sent at once until DONE. */
  startIdle(tag: string): void {
    this.#idleTag = tag
    this.#reader.expectRawLine()
  }

  /** AUTHENTICATE: a challenge was written; the client's next line continues the exchange. */
  continueSaslWith(exchange: SaslExchange): void {
    this.#sasl = exchange
    this.#reader.expectRawLine()
  }

  /**
   * Writes the queued changes of the selected mailbox: EXPUNGE (or VANISHED with QRESYNC,
   * RFC 7162 3.2.10) when allowed, then EXISTS, then FETCH FLAGS (RFC 9051 7.4.1, 7.3.1,
   * 7.5.2). With CONDSTORE, FETCH carries MODSEQ (RFC 7162 3.1.4).
   */
  async flushUpdates(opts: { canExpunge: boolean }): Promise<void> {
    if (this.state.kind !== 'selected') return
    const box = this.state.mailbox
    if (!box.hasPending) return
    const updates = box.take(opts)
    if (updates.expunged.length > 0) {
      if (this.enabled.qresync) {
        const uids = formatSequenceSet(updates.expunged.map((e) => e.uid))
        await this.send(untagged(atom('VANISHED'), atom(uids)))
      } else {
        for (const e of updates.expunged) await this.send(untagged(num(e.seq), atom('EXPUNGE')))
      }
    }
    if (updates.exists !== undefined) {
      await this.send(untagged(num(updates.exists), atom('EXISTS')))
      if (!this.enabled.imap4rev2) await this.send(untagged(num(0), atom('RECENT')))
    }
    for (const f of updates.flags) {
      const items = [atom('UID'), num(f.uid), atom('FLAGS'), list(f.flags.map(atom))]
      if (this.enabled.condstore) items.push(atom('MODSEQ'), list([num(f.modseq)]))
      await this.send(untagged(num(f.seq), atom('FETCH'), list(items)))
    }
  }

  /** Asks the session to end: now if idle, else after the command in progress. */
  stop(): void {
    this.#isStopping = true
    if (!this.#pump.isBusy) this.#closeWith('shutdown', 'server shutting down')
  }

  /** Ends the session at once (after the shutdown grace period). */
  destroy(): void {
    this.#end('shutdown')
    this.#socket.destroy()
  }

  logFields(): Record<string, unknown> {
    return {
      cid: this.conn.id,
      remote: this.conn.remoteAddress,
      listener: this.deps.settings.listener,
    }
  }

  #newReader(): ImapReader {
    const { settings } = this.deps
    return new ImapReader({
      maxLineBytes: settings.maxLineBytes,
      maxLiteralBytes: settings.maxLiteralBytes,
      maxCommandBytes: settings.maxLiteralBytes + COMMAND_OVERHEAD_BYTES,
      isLiteralPlus: true,
    })
  }

  #attach(socket: Socket): void {
    socket.setTimeout(this.deps.settings.idleTimeoutMs)
    socket.on('timeout', () => {
      this.deps.logger.info({ event: 'imap.timeout', ...this.logFields() })
      this.#closeWith('timeout', 'autologout: idle for too long') // RFC 9051 5.4
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

  /** One input: a literal announcement is answered at once, a command is dispatched. */
  async #handle(input: ImapInput): Promise<void> {
    if (input.kind === 'continuation-needed') {
      this.#answerLiteral(input.tag, input.size)
      return
    }
    await this.#idlePush
    await this.#dispatch(input)
  }

  /** RFC 9051 7.5: "+" to receive a synchronising literal, or a tagged BAD refusing it. */
  #answerLiteral(tag: string | undefined, size: number): void {
    if (this.state.kind === 'not-authenticated' && size > PRE_AUTH_LITERAL_BYTES) {
      this.#reader.refuseLiteral()
      this.#badCommands++
      this.#writeNow(status(tag ?? '*', 'BAD', 'literal too large before authentication'))
      return
    }
    this.#writeNow(continuation('Ready'))
  }

  /** The one place where inputs run and typed errors become tagged BAD/NO responses. */
  async #dispatch(input: Exclude<ImapInput, { kind: 'continuation-needed' }>): Promise<void> {
    const tag =
      input.kind === 'command' ? input.command.tag : 'tag' in input ? input.tag : undefined
    this.#current = { tag, name: 'OTHER', canExpunge: true }
    const started = performance.now()
    let done: Completion
    try {
      const result = await this.#run(input)
      if (result?.isDeferred === true) return
      done = {
        status: 'OK',
        text: result?.text ?? `${commandLabel(this.#current.name)} completed`,
        code: result?.code,
      }
    } catch (err) {
      done = this.#errorCompletion(err)
    }
    await this.#complete(done, started)
  }

  async #run(
    input: Exclude<ImapInput, { kind: 'continuation-needed' }>,
  ): Promise<CommandResult | undefined> {
    switch (input.kind) {
      case 'line-too-long':
        throw new ProtocolBad('line too long')
      case 'literal-too-large':
        // RFC 7888 4 / RFC 7889: TOOBIG; a synchronising one was never sent.
        if (input.isSynchronizing) throw new ProtocolNo('TOOBIG', 'literal too large')
        throw new ProtocolBad('literal too large', { code: 'TOOBIG' })
      case 'command-too-large':
        throw new ProtocolNo('TOOBIG', 'command too large')
      case 'raw-line':
        return this.#rawLine(input.line)
      case 'command':
        return this.#runCommand(parseCommand(input.command, { isUtf8Enabled: this.isUtf8 }))
    }
  }

  async #runCommand(command: ImapCommand): Promise<CommandResult | undefined> {
    const spec = commandTable[command.name]
    this.#current.name = command.name
    this.#current.canExpunge = spec.canExpunge ?? true
    if (!spec.states.includes(this.state.kind)) {
      throw new ProtocolBad(`${commandLabel(command.name)} is not allowed in this state`)
    }
    // The table pairs each name with its spec, so the command matches the spec's run.
    const anySpec = spec as unknown as {
      run(
        s: ImapSession,
        c: ImapCommand,
      ): Promise<CommandResult | undefined> | CommandResult | undefined
    }
    return anySpec.run(this, command)
  }

  /** A line after "+ idling" (RFC 2177 3) or a SASL challenge (RFC 9051 6.2.2). */
  async #rawLine(line: string): Promise<CommandResult | undefined> {
    if (this.#idleTag !== undefined) {
      this.#current = { tag: this.#idleTag, name: 'idle', canExpunge: true }
      this.#idleTag = undefined
      if (line.toUpperCase() !== 'DONE') throw new ProtocolBad('expected DONE') // RFC 2177 3
      return { text: 'IDLE terminated' }
    }
    const exchange = this.#sasl
    this.#sasl = undefined
    if (exchange === undefined) throw new ProtocolBad('unexpected line')
    this.#current = { tag: exchange.tag, name: 'authenticate', canExpunge: true }
    return continueSasl(this, exchange, line)
  }

  #errorCompletion(err: unknown): Completion {
    if (err instanceof ProtocolBad) return { status: 'BAD', text: err.message, code: err.code }
    if (err instanceof ProtocolNo) return { status: 'NO', text: err.message, code: err.code }
    if (isStoreError(err)) return storeErrorCompletion(err)
    this.deps.logger.error({ event: 'imap.command-error', err, ...this.logFields() })
    return { status: 'NO', text: 'internal error', code: 'SERVERBUG' }
  }

  /** Flushes queued updates, writes the completion, records it, and runs what follows it. */
  async #complete(done: Completion, started: number): Promise<void> {
    const { tag, name } = this.#current
    if (this.#ended !== undefined) return
    if (this.state.kind !== 'logout') {
      await this.flushUpdates({ canExpunge: this.#current.canExpunge })
    }
    const code = done.code
    if (tag === undefined) await this.send(status('*', done.status, done.text, code))
    else await this.send(status(tag, done.status, done.text, code))
    const label = commandLabel(name)
    this.deps.metrics.imapCommands.inc({ command: label, result: done.status.toLowerCase() })
    this.deps.metrics.imapCommandSeconds.observe(
      { command: label },
      (performance.now() - started) / 1000,
    )
    this.deps.logger.debug({ event: 'imap.command', command: label, result: done.status })
    if (done.status === 'BAD') this.#badCommands++
    const after = this.#afterReply
    this.#afterReply = undefined
    if (this.#badCommands >= this.deps.settings.maxBadCommands) {
      this.deps.logger.info({ event: 'imap.too-many-bad-commands', ...this.logFields() })
      this.#closeWith('too-many-errors', 'too many bad commands')
    } else if (after === 'starttls') this.#startTls()
    else if (after === 'logout') this.#closeWith('logout', undefined)
    else if (after === 'too-many-login-failures') {
      this.#closeWith('too-many-errors', 'too many failed logins')
    }
  }

  /** IDLE: a queued change is written at once (RFC 2177 3), outside the command loop. */
  #onMailboxChange(): void {
    if (this.#idleTag === undefined || this.#idlePush !== undefined) return
    this.#idlePush = (async () => {
      await Promise.resolve() // let the store finish telling every listener
      const socket = this.#socket
      socket.cork()
      try {
        while (this.#idleTag !== undefined && this.state.kind === 'selected') {
          if (!this.state.mailbox.hasPending) break
          await this.flushUpdates({ canExpunge: true })
        }
      } finally {
        socket.uncork()
        this.#idlePush = undefined
      }
    })().catch((err: unknown) => {
      this.deps.logger.info({ event: 'imap.session-error', err, ...this.logFields() })
    })
  }

  #startTls(): void {
    const tlsOpts = this.deps.tls
    if (!tlsOpts) return
    const raw = this.#socket
    raw.uncork() // the OK goes out before the handshake starts
    raw.removeAllListeners('data')
    raw.removeAllListeners('timeout')
    const secure = new TLSSocket(raw, { isServer: true, cert: tlsOpts.cert, key: tlsOpts.key })
    this.#socket = secure
    this.isTls = true
    this.#reader = this.#newReader() // RFC 9051 6.2.1: discard what was pipelined in clear text
    this.#attach(secure)
    secure.once('error', (err: Error) => {
      this.deps.logger.info({ event: 'imap.tls-failed', err: err.message, ...this.logFields() })
    })
  }

  async #waitDrain(): Promise<void> {
    const socket = this.#socket
    if (this.#ended !== undefined || socket.destroyed) return
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

  #writeNow(line: ResponseLine): void {
    // Short lines without streamed literals: written at once (the sink never waits here).
    void writeResponse(this.#sink, line).catch(() => undefined)
  }

  /** RFC 9051 7.1.5: "* BYE text", then the connection closes. */
  #closeWith(end: SessionEnd, text: string | undefined): void {
    if (this.#ended !== undefined) return
    const socket = this.#socket
    if (text !== undefined) this.#writeNow(status('*', 'BYE', text))
    this.#end(end)
    socket.end()
    // A client that never reads must not keep the socket: destroy after a short while.
    setTimeout(() => socket.destroy(), 2000).unref()
  }

  #end(end: SessionEnd): void {
    if (this.#ended !== undefined) return
    this.#ended = end
    this.#stopWatching?.()
    this.#stopWatching = undefined
    this.#releaseAccount?.()
    this.#releaseAccount = undefined
    this.deps.logger.info({
      event: 'imap.session-end',
      outcome: end,
      badCommands: this.#badCommands,
      tls: this.isTls,
      durationMs: this.deps.clock() - this.#startedAt,
      ...this.logFields(),
    })
    this.#onEnd()
  }
}

/** The command for logs and metrics: "UID FETCH" for uid-fetch, bounded by the table. */
function commandLabel(name: string): string {
  if (name === 'OTHER') return name
  return name.startsWith('uid-') ? `UID ${name.slice(4).toUpperCase()}` : name.toUpperCase()
}

export type { CommandName }
