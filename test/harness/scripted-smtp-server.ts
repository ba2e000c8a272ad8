// A scripted SMTP server for tests of the sending side (the outbound transport, the queue's
// retries and throttles): it listens on a loopback address, answers every command from a
// script, records everything it received, and timestamps every accepted message. It is the
// peer MTA, not Postern: it stores nothing and checks almost nothing (RFC 5321 4.1 syntax is
// the client's business here).
//
// API (all options optional):
//
//   const srv = await startScriptedSmtpServer({
//     host: '127.0.0.2',            // any 127.0.0.0/8 address or '::1'; default 127.0.0.1
//     port: 0,                      // 0 = a free port (srv.port tells which)
//     hostname: 'mx1.example.test', // in the greeting and the EHLO reply
//     extensions: ['PIPELINING', 'SIZE 1000000', '8BITMIME', 'DSN', 'SMTPUTF8',
//                  'ENHANCEDSTATUSCODES'],        // the EHLO keywords (this is the default)
//     tls: { cert, key },           // PEM; offers STARTTLS (until the session is in TLS)
//     clock: () => Date.now(),      // timestamps of messages and commands
//     greeting: (conn) => conn.index === 1 ? '421 4.3.2 busy' : undefined,
//     on: {                         // per-command scripts; undefined = the default answer
//       RCPT: (c) => (c.count === 1 ? '451 4.3.0 try later' : undefined),
//       DOT: (c) => (c.message.rcpts.includes('x@example.test') ? '554 5.6.0 no' : undefined),
//     },
//   })
//   srv.port, srv.host, srv.address ("127.0.0.2:41234")
//   srv.messages          accepted messages: { connection, mailFrom, mailParams, rcpts,
//                         rcptParams, data (un-dot-stuffed Buffer), tls, at (clock ms) }
//   srv.connections       every connection: { index, remoteAddress, localAddress, tls,
//                         commands: [{ line, verb, batch, at, tls }], closed }
//   srv.commands(verb?)   every command received (all connections), optionally one verb
//   srv.on                the script table; tests may replace entries while the server runs
//   await srv.waitForMessages(n, timeoutMs = 5000)   resolves with srv.messages
//   await srv.waitFor(() => boolean, timeoutMs = 5000)
//   await srv.close()     stops listening and destroys every connection
//
// A script function gets a context { verb, arg, line, address?, params, count, conn, server,
// message? } and returns (or resolves to):
//   - undefined: the default answer (below);
//   - a string: the reply, "CODE text"; several lines separated by "\n" are sent as a
//     multi-line reply (write "250-a\n250 b" in full);
//   - an action { reply?: string, close?: boolean, delayMs?: number }: waits delayMs, sends
//     the reply (the default one when absent, unless close is set), then closes the
//     connection when close is set ({ close: true } alone = a dropped connection, no reply).
//     A long delayMs makes a client time out.
// `count` counts that verb across the whole server (1 = the first RCPT the server ever saw);
// `conn.index` numbers connections from 1, so per-connection scripts test `c.conn.index`.
// DOT is the end of DATA (the final "."); its context carries `message`. A message counts
// in `srv.messages` only when the DOT reply is 2xx.
//
// Defaults: greeting "220 <hostname> ESMTP scripted"; EHLO the hostname + extensions (+
// STARTTLS with tls); HELO 250; MAIL/RCPT 250 (the address is recorded); DATA 354 (503
// without MAIL or accepted RCPT); DOT 250 2.0.0; RSET/NOOP 250; QUIT 221 and close;
// STARTTLS 220 then the TLS handshake (the session is reset: EHLO again, RFC 3207 4.2);
// anything else 502 5.5.1. Commands are answered one at a time in order, so PIPELINING
// works: each command records the `batch` (the number of the socket read it came in), so
// "MAIL and RCPTs sent in one write" shows as the same batch.
//
// To test "connection refused", point the client at an address nothing listens on (e.g.
// 127.0.0.4 with this server's port), or close the server.
import { createServer, type Server, type Socket } from 'node:net'
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls'

export type ScriptAction = { reply?: string; close?: boolean; delayMs?: number }
export type ScriptResult = string | ScriptAction | undefined

export interface RecordedCommand {
  line: string
  /** Upper-case verb ("MAIL", "RCPT", "DOT" for the end of DATA). */
  verb: string
  /** The number of the socket read this command arrived in (pipelined commands share one). */
  batch: number
  at: number
  tls: boolean
}

export interface ScriptedConnection {
  /** 1 for the first connection the server accepted. */
  index: number
  remoteAddress: string
  remotePort: number
  localAddress: string
  tls: boolean
  /** The name given with EHLO or HELO. */
  helo?: string
  commands: RecordedCommand[]
  closed: boolean
}

export interface ReceivedMessage {
  connection: number
  mailFrom: string
  /** Parameters of MAIL FROM, upper-case keys ("SIZE", "BODY", "RET", "ENVID", "SMTPUTF8"). */
  mailParams: Record<string, string>
  /** Recipients the server accepted (2xx to RCPT). */
  rcpts: string[]
  /** Parameters per accepted recipient, in the same order ("NOTIFY", "ORCPT"). */
  rcptParams: Record<string, string>[]
  /** The message as the client sent it, dot-stuffing removed, CRLF kept. */
  data: Buffer
  tls: boolean
  at: number
}

export interface ScriptContext {
  verb: string
  /** The text after the verb. */
  arg: string
  line: string
  /** For MAIL and RCPT: the address between < and >. */
  address?: string
  /** For MAIL and RCPT: the ESMTP parameters. */
  params: Record<string, string>
  /** How many times the server has seen this verb, this one included (1-based). */
  count: number
  conn: ScriptedConnection
  server: ScriptedSmtpServer
  /** For DOT: the message as it would be recorded. */
  message?: ReceivedMessage
}

export type ScriptFn = (ctx: ScriptContext) => ScriptResult | Promise<ScriptResult>

export type ScriptVerb =
  | 'EHLO'
  | 'HELO'
  | 'MAIL'
  | 'RCPT'
  | 'DATA'
  | 'DOT'
  | 'RSET'
  | 'NOOP'
  | 'QUIT'
  | 'STARTTLS'
  | 'OTHER'

export interface ScriptedSmtpServerOptions {
  host?: string
  port?: number
  hostname?: string
  extensions?: string[]
  tls?: { cert: string | Buffer; key: string | Buffer }
  clock?: () => number
  greeting?: (conn: ScriptedConnection) => ScriptResult | Promise<ScriptResult>
  on?: Partial<Record<ScriptVerb, ScriptFn>>
  /** Largest message kept (bytes); beyond it DATA answers 552 (bounds memory). */
  maxMessageBytes?: number
}

export interface ScriptedSmtpServer {
  host: string
  port: number
  address: string
  hostname: string
  messages: ReceivedMessage[]
  connections: ScriptedConnection[]
  on: Partial<Record<ScriptVerb, ScriptFn>>
  commands(verb?: string): RecordedCommand[]
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>
  waitForMessages(n: number, timeoutMs?: number): Promise<ReceivedMessage[]>
  close(): Promise<void>
}

export const DEFAULT_EXTENSIONS = [
  'PIPELINING',
  'SIZE 10485760',
  '8BITMIME',
  'DSN',
  'SMTPUTF8',
  'ENHANCEDSTATUSCODES',
]

const MAX_LINE_BYTES = 64 * 1024

export async function startScriptedSmtpServer(
  opts: ScriptedSmtpServerOptions = {},
): Promise<ScriptedSmtpServer> {
  const host = opts.host ?? '127.0.0.1'
  const sockets = new Set<Socket>()
  const counts = new Map<string, number>()
  const secureContext = opts.tls
    ? createSecureContext({ cert: opts.tls.cert, key: opts.tls.key })
    : undefined
  const server: ScriptedSmtpServer = {
    host,
    port: 0,
    address: '',
    hostname: opts.hostname ?? 'scripted.example.test',
    messages: [],
    connections: [],
    on: { ...opts.on },
    commands: (verb) =>
      server.connections
        .flatMap((c) => c.commands)
        .filter((c) => verb === undefined || c.verb === verb.toUpperCase()),
    waitFor: (predicate, timeoutMs = 5000) => waitFor(predicate, timeoutMs),
    waitForMessages: async (n, timeoutMs = 5000) => {
      await waitFor(() => server.messages.length >= n, timeoutMs)
      return server.messages
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => {
        tcp.close(() => {
          resolve()
        })
      })
    },
  }
  const deps: SessionDeps = {
    server,
    opts,
    clock: opts.clock ?? Date.now,
    secureContext,
    countVerb: (verb) => {
      const n = (counts.get(verb) ?? 0) + 1
      counts.set(verb, n)
      return n
    },
  }
  const tcp: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    new ScriptedSession(deps, socket).start()
  })
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject)
    tcp.listen({ host, port: opts.port ?? 0 }, () => {
      resolve()
    })
  })
  const addr = tcp.address()
  server.port = typeof addr === 'object' && addr !== null ? addr.port : 0
  server.address = host.includes(':') ? `[${host}]:${server.port}` : `${host}:${server.port}`
  return server
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`waitFor: not true within ${String(timeoutMs)} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

interface SessionDeps {
  server: ScriptedSmtpServer
  opts: ScriptedSmtpServerOptions
  clock: () => number
  secureContext: SecureContext | undefined
  countVerb: (verb: string) => number
}

interface Transaction {
  mailFrom: string
  mailParams: Record<string, string>
  rcpts: string[]
  rcptParams: Record<string, string>[]
}

type Unit = { kind: 'line'; line: string; batch: number } | { kind: 'data'; data: Buffer }

/** One connection: reads lines (or DATA), answers them one at a time in order. */
class ScriptedSession {
  readonly deps: SessionDeps
  readonly conn: ScriptedConnection
  socket: Socket
  buffer = Buffer.alloc(0)
  batch = 0
  mode: 'command' | 'data' = 'command'
  transaction: Transaction | undefined
  busy = false
  closed = false

  constructor(deps: SessionDeps, socket: Socket) {
    this.deps = deps
    this.socket = socket
    this.conn = {
      index: deps.server.connections.length + 1,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      localAddress: socket.localAddress ?? '',
      tls: false,
      commands: [],
      closed: false,
    }
    deps.server.connections.push(this.conn)
  }

  start(): void {
    this.attach(this.socket)
    this.socket.on('close', () => {
      this.closed = true
      this.conn.closed = true
    })
    void this.run(async () => {
      const result = await this.deps.opts.greeting?.(this.conn)
      await this.answer(result, `220 ${this.deps.server.hostname} ESMTP scripted`)
    })
  }

  attach(socket: Socket): void {
    socket.on('error', () => undefined)
    socket.on('data', (chunk: Buffer) => {
      this.batch += 1
      this.buffer = Buffer.concat([this.buffer, chunk])
      this.pump()
    })
  }

  /** Runs one step with the session busy, then goes on with what was buffered meanwhile. */
  async run(step: () => Promise<void>): Promise<void> {
    this.busy = true
    try {
      await step()
    } catch {
      this.socket.destroy()
    } finally {
      this.busy = false
    }
    this.pump()
  }

  pump(): void {
    if (this.busy || this.closed) return
    const unit = this.nextUnit()
    if (unit) void this.run(() => this.handle(unit))
  }

  nextUnit(): Unit | undefined {
    if (this.mode === 'data') {
      const end = findDataEnd(this.buffer)
      if (end < 0) {
        if (this.buffer.length > (this.deps.opts.maxMessageBytes ?? 50 * 1024 * 1024)) {
          this.socket.destroy()
        }
        return undefined
      }
      const raw = this.buffer.subarray(0, end + 2)
      this.buffer = this.buffer.subarray(end + 5)
      this.mode = 'command'
      return { kind: 'data', data: unstuff(raw) }
    }
    const nl = this.buffer.indexOf(0x0a)
    if (nl < 0) {
      if (this.buffer.length > MAX_LINE_BYTES) this.socket.destroy()
      return undefined
    }
    const line = this.buffer.subarray(0, nl).toString('utf8').replace(/\r$/, '')
    this.buffer = this.buffer.subarray(nl + 1)
    return { kind: 'line', line, batch: this.batch }
  }

  record(line: string, verb: string, batch: number): void {
    this.conn.commands.push({ line, verb, batch, at: this.deps.clock(), tls: this.conn.tls })
  }

  async handle(unit: Unit): Promise<void> {
    if (unit.kind === 'data') {
      await this.handleDot(unit.data)
      return
    }
    const space = unit.line.indexOf(' ')
    const verb = (space < 0 ? unit.line : unit.line.slice(0, space)).toUpperCase()
    const arg = space < 0 ? '' : unit.line.slice(space + 1)
    this.record(unit.line, verb, unit.batch)
    const ctx = this.context(verb, arg, unit.line)
    const known = KNOWN_VERBS.has(verb) ? (verb as ScriptVerb) : 'OTHER'
    const result = await this.deps.server.on[known]?.(ctx)
    await this.runDefault(known, ctx, result)
  }

  context(verb: string, arg: string, line: string): ScriptContext {
    const ctx: ScriptContext = {
      verb,
      arg,
      line,
      params: {},
      count: this.deps.countVerb(verb),
      conn: this.conn,
      server: this.deps.server,
    }
    if (verb === 'MAIL' || verb === 'RCPT') {
      const parsed = parsePath(arg)
      ctx.address = parsed.address
      ctx.params = parsed.params
    }
    return ctx
  }

  async runDefault(verb: ScriptVerb, ctx: ScriptContext, result: ScriptResult): Promise<void> {
    const name = this.deps.server.hostname
    switch (verb) {
      case 'EHLO':
      case 'HELO': {
        const ok = await this.answer(result, verb === 'EHLO' ? this.ehloReply() : `250 ${name}`)
        if (ok) {
          this.conn.helo = ctx.arg
          this.transaction = undefined
        }
        return
      }
      case 'MAIL': {
        const ok = await this.answer(result, '250 2.1.0 OK')
        if (ok) {
          this.transaction = {
            mailFrom: ctx.address ?? '',
            mailParams: ctx.params,
            rcpts: [],
            rcptParams: [],
          }
        }
        return
      }
      case 'RCPT': {
        const ok = await this.answer(
          result,
          this.transaction ? '250 2.1.5 OK' : '503 5.5.1 MAIL first',
        )
        if (ok && this.transaction) {
          this.transaction.rcpts.push(ctx.address ?? '')
          this.transaction.rcptParams.push(ctx.params)
        }
        return
      }
      case 'DATA': {
        const ready = this.transaction !== undefined && this.transaction.rcpts.length > 0
        const reply = ready ? '354 End data with <CR><LF>.<CR><LF>' : '503 5.5.1 no recipients'
        const code = await this.answerCode(result, reply)
        if (code === 354) this.mode = 'data'
        return
      }
      case 'RSET':
      case 'NOOP':
        if (verb === 'RSET') this.transaction = undefined
        await this.answer(result, '250 2.0.0 OK')
        return
      case 'QUIT':
        await this.answer(result, '221 2.0.0 Bye')
        this.socket.end()
        return
      case 'STARTTLS':
        await this.startTls(result)
        return
      case 'DOT':
      case 'OTHER':
        await this.answer(result, '502 5.5.1 command not recognized')
        return
    }
  }

  ehloReply(): string {
    const extensions = [...(this.deps.opts.extensions ?? DEFAULT_EXTENSIONS)]
    if (this.deps.secureContext && !this.conn.tls) extensions.push('STARTTLS')
    const lines = [this.deps.server.hostname, ...extensions]
    return lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}`).join('\n')
  }

  async handleDot(data: Buffer): Promise<void> {
    this.record('.', 'DOT', this.batch)
    const tx = this.transaction ?? { mailFrom: '', mailParams: {}, rcpts: [], rcptParams: [] }
    const message: ReceivedMessage = {
      connection: this.conn.index,
      mailFrom: tx.mailFrom,
      mailParams: tx.mailParams,
      rcpts: tx.rcpts,
      rcptParams: tx.rcptParams,
      data,
      tls: this.conn.tls,
      at: this.deps.clock(),
    }
    const ctx = { ...this.context('DOT', '', '.'), message }
    const result = await this.deps.server.on.DOT?.(ctx)
    this.transaction = undefined
    const code = await this.answerCode(result, '250 2.0.0 OK queued')
    if (code !== undefined && code >= 200 && code < 300) this.deps.server.messages.push(message)
  }

  async startTls(result: ScriptResult): Promise<void> {
    const context = this.deps.secureContext
    const code = await this.answerCode(
      result,
      context && !this.conn.tls ? '220 2.0.0 Ready to start TLS' : '502 5.5.1 no TLS here',
    )
    if (code !== 220 || !context || this.closed) return
    // RFC 3207 4.2: anything the client sent after STARTTLS in clear text is discarded.
    this.buffer = Buffer.alloc(0)
    this.socket.removeAllListeners('data')
    const secure = new TLSSocket(this.socket, { isServer: true, secureContext: context })
    this.socket = secure
    this.conn.tls = true
    this.transaction = undefined
    secure.on('close', () => {
      this.closed = true
      this.conn.closed = true
    })
    this.attach(secure)
  }

  /** Applies a script result (or the default reply); true when the reply sent was 2xx/3xx. */
  async answer(result: ScriptResult, fallback: string): Promise<boolean> {
    const code = await this.answerCode(result, fallback)
    return code !== undefined && code < 400
  }

  /** Applies a script result; returns the code of the reply sent (undefined: none). */
  async answerCode(result: ScriptResult, fallback: string): Promise<number | undefined> {
    const action: ScriptAction =
      result === undefined
        ? { reply: fallback }
        : typeof result === 'string'
          ? { reply: result }
          : result.reply === undefined && result.close !== true
            ? { ...result, reply: fallback }
            : result
    if (action.delayMs !== undefined && action.delayMs > 0) {
      // unref: a long delay never keeps the test process alive after close()
      await new Promise((resolve) => setTimeout(resolve, action.delayMs).unref())
    }
    if (this.closed) return undefined
    let code: number | undefined
    if (action.reply !== undefined) {
      this.socket.write(action.reply.split('\n').join('\r\n') + '\r\n')
      code = Number(action.reply.slice(0, 3))
    }
    if (action.close === true) {
      this.socket.end()
      this.closed = true
      return undefined
    }
    return code
  }
}

const KNOWN_VERBS = new Set<string>([
  'EHLO',
  'HELO',
  'MAIL',
  'RCPT',
  'DATA',
  'RSET',
  'NOOP',
  'QUIT',
  'STARTTLS',
])

/** "FROM:<a@b> SIZE=10 BODY=8BITMIME" → address and parameters. */
function parsePath(arg: string): { address: string; params: Record<string, string> } {
  const open = arg.indexOf('<')
  const close = arg.indexOf('>', open + 1)
  if (open < 0 || close < 0) return { address: '', params: {} }
  const params: Record<string, string> = {}
  for (const p of arg
    .slice(close + 1)
    .trim()
    .split(/\s+/)) {
    if (p === '') continue
    const eq = p.indexOf('=')
    if (eq < 0) params[p.toUpperCase()] = ''
    else params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1)
  }
  return { address: arg.slice(open + 1, close), params }
}

/** Index of "\r\n.\r\n" ending DATA (the message may also be empty: ".\r\n" first). */
function findDataEnd(buf: Buffer): number {
  if (buf.subarray(0, 3).toString('latin1') === '.\r\n') return -2
  return buf.indexOf('\r\n.\r\n')
}

/** RFC 5321 4.5.2: a leading "." on a line was doubled by the client; remove it. */
function unstuff(raw: Buffer): Buffer {
  if (raw.length === 0) return raw
  const text = raw.toString('latin1')
  return Buffer.from(text.replace(/^\./, '').replace(/\r\n\./g, '\r\n'), 'latin1')
}
