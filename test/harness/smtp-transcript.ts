// Transcript tests for the SMTP server: an in-process server on a real socket, a fresh SQLite
// file per test, no delays, and a client that mirrors mox's: s.transact(250, 'MAIL FROM:<a@b>').
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import assert from 'node:assert/strict'
import { openStore } from '../../src/store/open-store.ts'
import type { Store } from '../../src/store/types.ts'
import { Router } from '../../src/delivery/router.ts'
import { SmtpServer } from '../../src/smtp-server/server.ts'
import type { SmtpServerSettings } from '../../src/smtp-server/session-state.ts'
import { createLogger } from '../../src/telemetry/logger.ts'
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.ts'
import { writeSelfSignedCertificate } from '../../src/tls/self-signed.ts'
import { staticResolver, type DnsResolver } from '../../src/dns/resolver.ts'
import { credentialsFor } from '../../src/auth/credentials.ts'
import { AuthFailureLimiter } from '../../src/smtp-server/auth-limiter.ts'
import type { SubmissionDeps } from '../../src/smtp-server/submission-state.ts'
import type { EmailAuthenticator } from '../../src/email-auth/authenticator.ts'
import type { RcptCheck } from '../../src/smtp-server/rcpt-checks.ts'
import type { ForwardingDeps } from '../../src/smtp-server/pipeline/forward.ts'
import type { SrsReverse } from '../../src/srs/srs.ts'
import type { SpamStageDeps } from '../../src/smtp-server/pipeline/spam.ts'

export interface TestServer {
  port: number
  store: Store
  metrics: Metrics
  dir: string
  close(): Promise<void>
}

export interface TestServerOptions {
  settings?: Partial<SmtpServerSettings>
  maxConnectionsPerIp?: number
  withTls?: boolean
  /** Accounts to create (domains are created from their addresses). */
  accounts?: string[]
  aliases?: Record<string, string[]>
  /** DNS for the stages; by default an empty table (every name missing). */
  resolver?: DnsResolver
  /** Passwords of (some of) the accounts, for AUTH; the others cannot log in. */
  passwords?: Record<string, string>
  /** Submission dependencies (AUTH, DKIM); defaults apply when settings.role is submission. */
  submission?: Partial<SubmissionDeps>
  /** TLS from the first byte (submissions); connect with SmtpTranscript.openTls. */
  isImplicitTls?: boolean
  /** The injected delay function; by default it does not wait. */
  sleep?: (ms: number) => Promise<void>
  /** Email authentication of the mx role (off unless given). */
  emailAuth?: EmailAuthenticator
  /** RCPT policy checks (greylisting...). */
  rcptChecks?: readonly RcptCheck[]
  /** SRS and ARC sealing of forwarded mail; and the router's SRS reversal. */
  forwarding?: ForwardingDeps
  srs?: { reverse(address: string): SrsReverse }
  /** The outbound sender score's MAIL check (submission). */
  senderCheck?: (accountId: number) => Promise<void>
  /** The spam stage (verdict on mx, pre-flight on submission); off unless given. */
  spam?: SpamStageDeps
}

let tlsCache: { cert: Buffer; key: Buffer } | undefined

async function testTls(dir: string): Promise<{ cert: Buffer; key: Buffer }> {
  if (tlsCache) return tlsCache
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  await writeSelfSignedCertificate({ hostname: 'mx.example.test', certPath, keyPath })
  tlsCache = { cert: readFileSync(certPath), key: readFileSync(keyPath) }
  return tlsCache
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-smtp-'))
  const store = openStore({ path: join(dir, 'test.db') })
  const accounts = opts.accounts ?? ['alice@example.test', 'bob@example.test']
  const domains = new Set([...accounts, ...Object.keys(opts.aliases ?? {})].map(domainOf))
  for (const d of domains) await store.domains.add(d)
  for (const a of accounts) {
    const password = opts.passwords?.[a]
    const creds = password === undefined ? undefined : await credentialsFor(password)
    await store.accounts.add({ address: a, passwordHash: creds?.passwordHash ?? 'x' })
    if (creds) {
      await store.scram.set(a, { passwordHash: creds.passwordHash, secret: creds.scramSecret })
    }
  }
  for (const [alias, targets] of Object.entries(opts.aliases ?? {})) {
    await store.aliases.add(alias, targets)
  }
  const metrics = createMetrics()
  const settings: SmtpServerSettings = {
    role: 'mx',
    hostname: 'mx.example.test',
    maxMessageBytes: 1024 * 1024,
    maxLineBytes: 1000,
    maxRecipients: 100,
    maxErrors: 10,
    idleTimeoutMs: 30_000,
    sessionTimeoutMs: 60_000,
    errorDelayMs: 0,
    maxReceivedHeaders: 50,
    isTrustedClient: () => false,
    ...opts.settings,
  }
  const server = new SmtpServer({
    deps: {
      settings,
      store,
      resolver: opts.resolver ?? staticResolver({}),
      router: new Router({
        store,
        plusSeparator: '+',
        ...(opts.srs === undefined ? {} : { srs: opts.srs }),
      }),
      ...(opts.forwarding === undefined ? {} : { forwarding: opts.forwarding }),
      logger: createLogger({ level: 'silent' }),
      metrics,
      tls: opts.withTls === false ? undefined : await testTls(dir),
      clock: Date.now,
      sleep: opts.sleep ?? (() => Promise.resolve()),
      ...(opts.emailAuth === undefined ? {} : { emailAuth: opts.emailAuth }),
      ...(opts.rcptChecks === undefined ? {} : { rcptChecks: opts.rcptChecks }),
      ...(opts.senderCheck === undefined ? {} : { senderCheck: opts.senderCheck }),
      ...(opts.spam === undefined ? {} : { spam: opts.spam }),
      ...(settings.role === 'submission' || opts.submission
        ? { submission: testSubmissionDeps(opts.submission) }
        : {}),
    },
    isImplicitTls: opts.isImplicitTls === true,
    maxConnections: 1000,
    maxConnectionsPerIp: opts.maxConnectionsPerIp ?? 1000,
  })
  const info = await server.listen('127.0.0.1', 0)
  return {
    port: info.port,
    store,
    metrics,
    dir,
    async close() {
      await server.close(0)
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Submission defaults for tests: AUTH without TLS on loopback, no delay, 3 failures/minute. */
function testSubmissionDeps(over: Partial<SubmissionDeps> = {}): SubmissionDeps {
  return {
    isPlaintextAllowed: () => true,
    authFailureDelayMs: 0,
    authLimiter: new AuthFailureLimiter({ maxFailures: 3, windowMs: 60_000, clock: Date.now }),
    dkimSigner: undefined,
    ...over,
  }
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1)
}

export interface Reply {
  code: number
  lines: string[]
  /** The whole reply text, lines joined by "\n", codes stripped. */
  text: string
}

/** A line-level SMTP client for transcripts. */
export class SmtpTranscript {
  #socket: Socket
  #buffer = ''
  #waiters: (() => void)[] = []
  #closed = false

  private constructor(socket: Socket) {
    this.#socket = socket
    this.#listen(socket)
  }

  static async connect(port: number): Promise<SmtpTranscript> {
    const socket = connect({ host: '127.0.0.1', port })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    return new SmtpTranscript(socket)
  }

  /** Connects with TLS from the first byte (implicit TLS) and reads the greeting. */
  static async openTls(port: number): Promise<SmtpTranscript> {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      rejectUnauthorized: false,
      servername: 'mx.example.test',
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve)
      socket.once('error', reject)
    })
    const s = new SmtpTranscript(socket)
    await s.expect(220)
    return s
  }

  /** Connects and reads the greeting. */
  static async open(port: number): Promise<SmtpTranscript> {
    const s = await SmtpTranscript.connect(port)
    await s.expect(220)
    return s
  }

  #listen(socket: Socket): void {
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => {
      this.#buffer += d
      this.#wake()
    })
    socket.on('close', () => {
      this.#closed = true
      this.#wake()
    })
    socket.on('error', () => undefined)
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }

  /** Reads one complete reply (multi-line aware), waiting up to 5 s. */
  async read(): Promise<Reply> {
    const deadline = Date.now() + 5000
    for (;;) {
      const reply = this.#take()
      if (reply) return reply
      if (this.#closed)
        throw new Error(`connection closed; buffer: ${JSON.stringify(this.#buffer)}`)
      if (Date.now() > deadline)
        throw new Error(`no reply; buffer: ${JSON.stringify(this.#buffer)}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100)
        this.#waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  #take(): Reply | undefined {
    const lines: string[] = []
    let offset = 0
    for (;;) {
      const end = this.#buffer.indexOf('\r\n', offset)
      if (end < 0) return undefined
      const line = this.#buffer.slice(offset, end)
      offset = end + 2
      lines.push(line)
      if (line.charAt(3) !== '-') break
    }
    this.#buffer = this.#buffer.slice(offset)
    const code = Number(lines[0]?.slice(0, 3))
    return { code, lines, text: lines.map((l) => l.slice(4)).join('\n') }
  }

  async expect(code: number, text?: RegExp): Promise<Reply> {
    const reply = await this.read()
    assert.equal(reply.code, code, `expected ${code}, got ${reply.lines.join(' | ')}`)
    if (text) assert.match(reply.text, text)
    return reply
  }

  send(line: string): void {
    this.#socket.write(`${line}\r\n`)
  }

  raw(bytes: string | Buffer): void {
    this.#socket.write(bytes)
  }

  /** Sends a command and checks the reply code (and text, if given). */
  async transact(code: number, line: string, text?: RegExp): Promise<Reply> {
    this.send(line)
    return this.expect(code, text)
  }

  /** Waits until the server closes the connection (5 s at most). */
  async expectClosed(): Promise<void> {
    const deadline = Date.now() + 5000
    while (!this.#closed) {
      if (Date.now() > deadline) throw new Error('server did not close the connection')
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** STARTTLS upgrade of this connection (after the 220). */
  async upgrade(): Promise<void> {
    const raw = this.#socket
    raw.removeAllListeners('data')
    raw.removeAllListeners('close')
    const secure = tlsConnect({
      socket: raw,
      rejectUnauthorized: false,
      servername: 'mx.example.test',
    })
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve)
      secure.once('error', reject)
    })
    this.#socket = secure
    this.#buffer = ''
    this.#listen(secure)
  }

  /** The EHLO / MAIL / RCPT prelude most tests need. */
  async begin(
    rcpts: string[] = ['alice@example.test'],
    from = 'sender@remote.example',
  ): Promise<void> {
    await this.transact(250, 'EHLO client.example')
    await this.transact(250, `MAIL FROM:<${from}>`)
    for (const r of rcpts) await this.transact(250, `RCPT TO:<${r}>`)
  }

  close(): void {
    this.#socket.destroy()
  }
}

/** Messages stored for an account's mailbox, bodies included. */
export async function mailboxContents(
  store: Store,
  address: string,
  mailbox = 'INBOX',
): Promise<{ uid: number; body: string }[]> {
  const account = await store.accounts.get(address)
  assert.ok(account, `no account ${address}`)
  const box = await store.mailboxes.get(account.id, mailbox)
  assert.ok(box, `no mailbox ${mailbox}`)
  const rows = await store.messages.list(box.id)
  const out: { uid: number; body: string }[] = []
  for (const row of rows) {
    const body = await store.messages.body(row.blobId)
    out.push({ uid: row.uid, body: body?.toString('utf8') ?? '' })
  }
  return out
}
