// Transcript tests for the IMAP server: an in-process server (the STARTTLS listener and the
// implicit-TLS one on the same store) on real sockets, a fresh SQLite file per test, no
// delays, and a client that mirrors mox's: c.transact('ok', 'UID COPY 1:2 Trash'),
// c.expectCode('COPYUID 1 3:4 1:2'), c2.expectUntagged(/EXISTS/), c.raw('bogus\r\n').
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import assert from 'node:assert/strict'
import { openStore } from '../../src/store/open-store.ts'
import type { Store } from '../../src/store/types.ts'
import { hashPassword } from '../../src/auth/password.ts'
import { ImapServer } from '../../src/imap-server/server.ts'
import { MailboxHub } from '../../src/imap-server/mailbox-hub.ts'
import type { ImapDeps, ImapServerSettings } from '../../src/imap-server/session-state.ts'
import { createLogger } from '../../src/telemetry/logger.ts'
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.ts'
import { writeSelfSignedCertificate } from '../../src/tls/self-signed.ts'

export const PASSWORD = 'secret pw'

export interface ImapTestServer {
  /** The STARTTLS listener ("imap"). */
  port: number
  /** The implicit-TLS listener ("imaps"), same store and hub. */
  tlsPort: number
  store: Store
  metrics: Metrics
  /** Delivers a message as SMTP would (store.accept) to the account's INBOX; its UID. */
  deliver(address: string, raw: string | Buffer, mailbox?: string): Promise<number>
  accountId(address: string): Promise<number>
  close(): Promise<void>
}

export interface ImapTestServerOptions {
  settings?: Partial<ImapServerSettings>
  accounts?: string[]
  maxConnectionsPerIp?: number
  /** Storage quota for every account, in bytes. */
  quotaBytes?: number
}

let tlsCache: { cert: Buffer; key: Buffer } | undefined
let hashCache: string | undefined

async function testTls(dir: string): Promise<{ cert: Buffer; key: Buffer }> {
  if (tlsCache) return tlsCache
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  await writeSelfSignedCertificate({ hostname: 'imap.example.test', certPath, keyPath })
  tlsCache = { cert: readFileSync(certPath), key: readFileSync(keyPath) }
  return tlsCache
}

export async function startImapTestServer(
  opts: ImapTestServerOptions = {},
): Promise<ImapTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-imap-'))
  const store = openStore({ path: join(dir, 'test.db') })
  const accounts = opts.accounts ?? ['alice@example.test', 'bob@example.test']
  hashCache ??= await hashPassword(PASSWORD)
  for (const d of new Set(accounts.map((a) => a.slice(a.lastIndexOf('@') + 1)))) {
    await store.domains.add(d)
  }
  for (const a of accounts) {
    await store.accounts.add({
      address: a,
      passwordHash: hashCache,
      quotaBytes: opts.quotaBytes ?? null,
    })
  }
  const metrics = createMetrics()
  const settings: ImapServerSettings = {
    listener: 'imap',
    hostname: 'imap.example.test',
    maxLineBytes: 8192,
    maxLiteralBytes: 1024 * 1024,
    maxBadCommands: 10,
    maxLoginFailures: 3,
    loginFailureDelayMs: 0,
    idleTimeoutMs: 60_000,
    maxConnectionsPerAccount: 20,
    isPlaintextAllowed: () => true,
    ...opts.settings,
  }
  const hub = new MailboxHub({
    store,
    maxConnectionsPerAccount: settings.maxConnectionsPerAccount,
  })
  const deps: ImapDeps = {
    settings,
    store,
    hub,
    accountSlots: hub,
    logger: createLogger({ level: process.env.IMAP_TEST_LOG === undefined ? 'silent' : 'debug' }),
    metrics,
    tls: await testTls(dir),
    clock: Date.now,
    sleep: () => Promise.resolve(),
  }
  const limits = { maxConnections: 1000, maxConnectionsPerIp: opts.maxConnectionsPerIp ?? 1000 }
  const plain = new ImapServer({ deps, isImplicitTls: false, ...limits })
  const secure = new ImapServer({
    deps: { ...deps, settings: { ...settings, listener: 'imaps' } },
    isImplicitTls: true,
    ...limits,
  })
  const port = (await plain.listen('127.0.0.1', 0)).port
  const tlsPort = (await secure.listen('127.0.0.1', 0)).port
  const accountId = async (address: string): Promise<number> => {
    const account = await store.accounts.get(address)
    assert.ok(account, `no account ${address}`)
    return account.id
  }
  return {
    port,
    tlsPort,
    store,
    metrics,
    accountId,
    async deliver(address, raw, mailbox) {
      const id = await accountId(address)
      const result = await store.accept({
        raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8'),
        receivedAt: Date.now(),
        mailFrom: 'sender@remote.example',
        local: [{ accountId: id, rcptTo: address, ...(mailbox === undefined ? {} : { mailbox }) }],
        remote: [],
      })
      const delivered = result.delivered[0]
      assert.ok(delivered, 'not delivered')
      return delivered.uid
    },
    async close() {
      await plain.close(0)
      await secure.close(0)
      hub.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A message with CRLF line ends. */
export function message(opts: { subject?: string; body?: string; from?: string } = {}): string {
  return [
    `From: ${opts.from ?? 'Sender <sender@remote.example>'}`,
    'To: alice@example.test',
    `Subject: ${opts.subject ?? 'hello'}`,
    'Date: Mon, 7 Feb 1994 21:52:25 -0800',
    'Message-ID: <m1@remote.example>',
    '',
    opts.body ?? 'Hello world.',
    '',
  ].join('\r\n')
}

export interface ImapResponse {
  /** Untagged lines before the completion (literals inline). */
  untagged: string[]
  /** The tagged line, e.g. "A3 OK [COPYUID 1 3:4 1:2] done". */
  tagged: string
}

/** A line-level IMAP client for transcripts. */
export class ImapTranscript {
  #socket: Socket
  #buffer = Buffer.alloc(0)
  #waiters: (() => void)[] = []
  #isClosed = false
  #nextTag = 1
  /** The last completion (for expectCode). */
  last: ImapResponse = { untagged: [], tagged: '' }

  private constructor(socket: Socket) {
    this.#socket = socket
    this.#listen(socket)
  }

  /** Connects and reads the greeting. */
  static async open(port: number, opts: { isTls?: boolean } = {}): Promise<ImapTranscript> {
    const socket = opts.isTls
      ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false })
      : connect({ host: '127.0.0.1', port })
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.isTls ? 'secureConnect' : 'connect', resolve)
      socket.once('error', reject)
    })
    const c = new ImapTranscript(socket)
    const greeting = await c.readLine()
    assert.match(greeting, /^\* OK /)
    return c
  }

  /** Connects, logs in, and (when given) selects a mailbox. */
  static async login(
    port: number,
    user = 'alice@example.test',
    select?: string,
  ): Promise<ImapTranscript> {
    const c = await ImapTranscript.open(port)
    await c.transact('ok', `LOGIN ${user} "${PASSWORD}"`)
    if (select !== undefined) await c.transact('ok', `SELECT ${select}`)
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

  async #wait(deadline: number): Promise<void> {
    if (this.#isClosed) throw new Error(`connection closed; buffer: ${this.#pending()}`)
    if (Date.now() > deadline) throw new Error(`timed out; buffer: ${this.#pending()}`)
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 50)
      this.#waiters.push(() => {
        clearTimeout(t)
        resolve()
      })
    })
  }

  #pending(): string {
    return JSON.stringify(this.#buffer.toString('latin1'))
  }

  /** One response line, literals included inline (latin1), CRLF removed. */
  async readLine(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const end = this.#lineEnd()
      if (end >= 0) {
        const line = this.#buffer.subarray(0, end - 2).toString('latin1')
        this.#buffer = this.#buffer.subarray(end)
        return line
      }
      await this.#wait(deadline)
    }
  }

  /** Where the first complete response line ends (after its CRLF), literals skipped; or -1. */
  #lineEnd(): number {
    let from = 0
    for (;;) {
      const end = this.#buffer.indexOf('\r\n', from)
      if (end < 0) return -1
      const m = /\{(\d+)\}$/.exec(this.#buffer.subarray(from, end).toString('latin1'))
      if (m === null) return end + 2
      const next = end + 2 + Number(m[1])
      if (this.#buffer.length < next) return -1
      from = next
    }
  }

  send(command: string): string {
    const tag = `A${this.#nextTag++}`
    this.#socket.write(`${tag} ${command}\r\n`)
    return tag
  }

  raw(bytes: string | Buffer): void {
    this.#socket.write(bytes)
  }

  /** Reads until the completion of `tag`. */
  async response(tag: string): Promise<ImapResponse> {
    const untagged: string[] = []
    for (;;) {
      const line = await this.readLine()
      if (line.startsWith(`${tag} `)) {
        this.last = { untagged, tagged: line }
        return this.last
      }
      untagged.push(line)
    }
  }

  /** Sends a command and checks its status ("ok", "no", "bad"). */
  async transact(expected: 'ok' | 'no' | 'bad', command: string): Promise<ImapResponse> {
    const tag = this.send(command)
    const r = await this.response(tag)
    const want = `${tag} ${expected.toUpperCase()}`
    assert.ok(
      r.tagged.startsWith(want),
      `${command}: expected ${want}, got ${r.tagged}\n${r.untagged.join('\n')}`,
    )
    return r
  }

  /** The last completion carried this response code, e.g. 'COPYUID 1 3:4 1:2'. */
  expectCode(codeText: string): void {
    assert.ok(
      this.last.tagged.includes(`[${codeText}]`),
      `expected [${codeText}] in ${this.last.tagged}`,
    )
  }

  /** Waits for an untagged line (sent unprompted, e.g. while IDLE) that matches. */
  async expectUntagged(pattern: RegExp | string, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const line = await this.readLine(Math.max(1, deadline - Date.now()))
      const ok = typeof pattern === 'string' ? line === pattern : pattern.test(line)
      if (ok) return line
    }
  }

  /** Waits until the server closes the connection (5 s at most). */
  async expectClosed(): Promise<void> {
    const deadline = Date.now() + 5000
    while (!this.#isClosed) {
      if (Date.now() > deadline) throw new Error('server did not close the connection')
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** STARTTLS upgrade of this connection (after the tagged OK). */
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
