// Transcript tests for the POP3 server: an in-process server on a real socket, a fresh SQLite
// file per test, no delays, messages put in place with store.accept, and a client that reads
// single-line and multi-line responses: await c.ok('STAT', /^2 /).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import assert from 'node:assert/strict'
import { openStore } from '../../src/store/open-store.ts'
import type { Store } from '../../src/store/types.ts'
import { hashPassword } from '../../src/auth/password.ts'
import { Pop3Server } from '../../src/pop3-server/server.ts'
import { MailboxLocks } from '../../src/pop3-server/mailbox-locks.ts'
import type { Pop3ServerSettings } from '../../src/pop3-server/session-state.ts'
import { createLogger } from '../../src/telemetry/logger.ts'
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.ts'
import { writeSelfSignedCertificate } from '../../src/tls/self-signed.ts'

export const PASSWORD = 'secret pw'

export interface Pop3TestServer {
  /** The STLS listener. */
  port: number
  /** The implicit-TLS listener (same store and locks). */
  tlsPort: number
  store: Store
  metrics: Metrics
  /** Stores a message in the account's INBOX; returns its UID. */
  deliver(address: string, raw: string | Buffer): Promise<number>
  inboxId(address: string): Promise<number>
  close(): Promise<void>
}

export interface Pop3TestServerOptions {
  settings?: Partial<Pop3ServerSettings>
  accounts?: string[]
  maxConnectionsPerIp?: number
}

let tlsCache: { cert: Buffer; key: Buffer } | undefined
let hashCache: string | undefined

async function testTls(dir: string): Promise<{ cert: Buffer; key: Buffer }> {
  if (tlsCache) return tlsCache
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  await writeSelfSignedCertificate({ hostname: 'pop.example.test', certPath, keyPath })
  tlsCache = { cert: readFileSync(certPath), key: readFileSync(keyPath) }
  return tlsCache
}

export async function startPop3TestServer(
  opts: Pop3TestServerOptions = {},
): Promise<Pop3TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-pop3-'))
  const store = openStore({ path: join(dir, 'test.db') })
  const accounts = opts.accounts ?? ['alice@example.test', 'bob@example.test']
  hashCache ??= await hashPassword(PASSWORD)
  for (const d of new Set(accounts.map((a) => a.slice(a.lastIndexOf('@') + 1)))) {
    await store.domains.add(d)
  }
  for (const a of accounts) await store.accounts.add({ address: a, passwordHash: hashCache })
  const metrics = createMetrics()
  const settings: Pop3ServerSettings = {
    listener: 'pop3',
    hostname: 'pop.example.test',
    maxLineBytes: 1024,
    maxBadCommands: 10,
    maxLoginFailures: 3,
    loginFailureDelayMs: 0,
    idleTimeoutMs: 30_000,
    isPlaintextAllowed: () => true,
    ...opts.settings,
  }
  const tls = await testTls(dir)
  const locks = new MailboxLocks()
  const deps = {
    store,
    locks,
    logger: createLogger({ level: 'silent' }),
    metrics,
    tls,
    clock: Date.now,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  }
  const limits = { maxConnections: 1000, maxConnectionsPerIp: opts.maxConnectionsPerIp ?? 1000 }
  const plain = new Pop3Server({ deps: { ...deps, settings }, isImplicitTls: false, ...limits })
  const implicit = new Pop3Server({
    deps: { ...deps, settings: { ...settings, listener: 'pop3s' } },
    isImplicitTls: true,
    ...limits,
  })
  const port = (await plain.listen('127.0.0.1', 0)).port
  const tlsPort = (await implicit.listen('127.0.0.1', 0)).port
  let isClosed = false
  const inboxId = async (address: string): Promise<number> => {
    const account = await store.accounts.get(address)
    assert.ok(account, `no account ${address}`)
    const box = await store.mailboxes.get(account.id, 'INBOX')
    assert.ok(box)
    return box.id
  }
  return {
    port,
    tlsPort,
    store,
    metrics,
    inboxId,
    async deliver(address, raw) {
      const account = await store.accounts.get(address)
      assert.ok(account, `no account ${address}`)
      const r = await store.accept({
        raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
        receivedAt: Date.now(),
        mailFrom: 'sender@remote.example',
        local: [{ accountId: account.id, rcptTo: address }],
        remote: [],
      })
      return r.delivered[0]?.uid ?? 0
    },
    async close() {
      if (isClosed) return
      isClosed = true
      await plain.close(0)
      await implicit.close(0)
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface Pop3Response {
  isOk: boolean
  /** The text after "+OK " / "-ERR ". */
  text: string
}

/** A line-level POP3 client for transcripts. */
export class Pop3Transcript {
  #socket: Socket
  #buffer = Buffer.alloc(0)
  #waiters: (() => void)[] = []
  #isClosed = false

  private constructor(socket: Socket) {
    this.#socket = socket
    this.#listen(socket)
  }

  /** Connects (TLS from the first byte when `isImplicitTls`) and reads the greeting. */
  static async open(port: number, opts: { isImplicitTls?: boolean } = {}): Promise<Pop3Transcript> {
    const socket = opts.isImplicitTls
      ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false })
      : connect({ host: '127.0.0.1', port })
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.isImplicitTls ? 'secureConnect' : 'connect', resolve)
      socket.once('error', reject)
    })
    const c = new Pop3Transcript(socket)
    const greeting = await c.read()
    assert.ok(greeting.isOk, `greeting: ${greeting.text}`)
    return c
  }

  /** Opens a session and logs in with USER/PASS. */
  static async login(port: number, user: string, password = PASSWORD): Promise<Pop3Transcript> {
    const c = await Pop3Transcript.open(port)
    await c.ok(`USER ${user}`)
    await c.ok(`PASS ${password}`)
    return c
  }

  #listen(socket: Socket): void {
    socket.on('data', (d: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, d])
      this.#wake()
    })
    socket.on('close', () => {
      this.#isClosed = true
      this.#wake()
    })
    socket.on('error', () => undefined)
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }

  async #waitFor<T>(take: () => T | undefined): Promise<T> {
    const deadline = Date.now() + 5000
    for (;;) {
      const value = take()
      if (value !== undefined) return value
      const seen = JSON.stringify(this.#buffer.toString('latin1').slice(0, 300))
      if (this.#isClosed) throw new Error(`connection closed; buffer: ${seen}`)
      if (Date.now() > deadline) throw new Error(`no response; buffer: ${seen}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100)
        this.#waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  #takeLine(): string | undefined {
    const end = this.#buffer.indexOf('\r\n')
    if (end < 0) return undefined
    const line = this.#buffer.subarray(0, end).toString('utf8')
    this.#buffer = this.#buffer.subarray(end + 2)
    return line
  }

  /** Reads one single-line response. */
  async read(): Promise<Pop3Response> {
    const line = await this.#waitFor(() => this.#takeLine())
    if (line.startsWith('+OK')) return { isOk: true, text: line.slice(4) }
    if (line.startsWith('-ERR')) return { isOk: false, text: line.slice(5) }
    if (line.startsWith('+')) return { isOk: true, text: line.slice(2) }
    throw new Error(`not a POP3 response: ${JSON.stringify(line)}`)
  }

  /** Reads the body of a multi-line response, un-stuffed, as bytes (terminator excluded). */
  async readBody(): Promise<Buffer> {
    const end = await this.#waitFor(() => {
      if (this.#buffer.subarray(0, 3).equals(Buffer.from('.\r\n'))) return 0
      const i = this.#buffer.indexOf('\r\n.\r\n')
      return i < 0 ? undefined : i + 2
    })
    const wire = this.#buffer.subarray(0, end).toString('latin1')
    this.#buffer = this.#buffer.subarray(end + 3)
    const unstuffed = wire.split('\r\n').map((l) => (l.startsWith('.') ? l.slice(1) : l))
    return Buffer.from(unstuffed.join('\r\n'), 'latin1')
  }

  /** Reads the lines of a multi-line response (after its +OK line). */
  async readLines(): Promise<string[]> {
    const body = (await this.readBody()).toString('utf8')
    return body === '' ? [] : body.slice(0, -2).split('\r\n')
  }

  send(line: string): void {
    this.#socket.write(`${line}\r\n`)
  }

  raw(bytes: string | Buffer): void {
    this.#socket.write(bytes)
  }

  /** Sends a command and expects "+OK" (text matched if given). */
  async ok(line: string, text?: RegExp): Promise<Pop3Response> {
    this.send(line)
    const r = await this.read()
    assert.ok(r.isOk, `${line}: expected +OK, got -ERR ${r.text}`)
    if (text) assert.match(r.text, text)
    return r
  }

  /** Sends a command and expects "-ERR" (text matched if given). */
  async err(line: string, text?: RegExp): Promise<Pop3Response> {
    this.send(line)
    const r = await this.read()
    assert.ok(!r.isOk, `${line}: expected -ERR, got +OK ${r.text}`)
    if (text) assert.match(r.text, text)
    return r
  }

  /** Sends a command, expects "+OK", and returns the lines of the multi-line response. */
  async lines(line: string): Promise<string[]> {
    await this.ok(line)
    return this.readLines()
  }

  /** Sends a command, expects "+OK", and returns the multi-line body as bytes. */
  async body(line: string): Promise<Buffer> {
    await this.ok(line)
    return this.readBody()
  }

  async expectClosed(): Promise<void> {
    await this.#waitFor(() => (this.#isClosed ? true : undefined))
  }

  /** STLS upgrade of this connection (after its +OK). */
  async upgrade(): Promise<void> {
    const raw = this.#socket
    raw.removeAllListeners('data')
    raw.removeAllListeners('close')
    const secure = tlsConnect({ socket: raw, rejectUnauthorized: false })
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve)
      secure.once('error', reject)
    })
    this.#socket = secure
    this.#buffer = Buffer.alloc(0)
    this.#listen(secure)
  }

  close(): void {
    this.#socket.destroy()
  }
}
