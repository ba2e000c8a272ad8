// Runs the real `postern` command as a child process for end-to-end tests: a fresh data
// directory (init + accounts through the CLI), free loopback ports, a readiness probe on
// GET /healthz, and stop/kill/restart by PID. Server output goes to DATA/../serve.log.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, open, readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const REPO_ROOT = resolve(import.meta.dirname, '../..')
const CLI = join(REPO_ROOT, 'src/cli/main.ts')
const READY_TIMEOUT_MS = 20_000
const CLI_TIMEOUT_MS = 30_000

export interface PosternUser {
  address: string
  password: string
}

export interface PosternAlias {
  alias: string
  targets: string[]
}

export interface PosternOptions {
  /** Primary domain given to `init` (default `example.test`). */
  domain?: string
  hostname?: string
  /** Extra local domains (`domain add`). */
  domains?: string[]
  users?: PosternUser[]
  aliases?: PosternAlias[]
  /** Extra environment for `serve` (POSTERN_* overrides). */
  env?: Record<string, string>
  /** Listen for IMAP (STARTTLS, `imapPort`) and IMAPS (implicit TLS, `imapsPort`). */
  imap?: boolean
  /**
   * Networks (CIDR) allowed to LOGIN without TLS on the `imap` listener
   * (`imap.plaintext_networks`). Tests on loopback pass LOOPBACK_NETWORKS.
   */
  imapPlaintextNetworks?: string[]
  /** Listen for POP3 (STLS, `pop3Port`) and POP3S (implicit TLS, `pop3sPort`). */
  pop3?: boolean
  /** Networks (CIDR) allowed to log in without TLS on `pop3` (`pop3.plaintext_networks`). */
  pop3PlaintextNetworks?: string[]
}

/** The loopback networks, for `imapPlaintextNetworks`. */
export const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128']

export interface PosternProcess {
  readonly dataDir: string
  readonly logFile: string
  readonly smtpPort: number
  readonly httpPort: number
  /** IMAP (STARTTLS) port on 127.0.0.1; 0 unless started with `imap: true`. */
  readonly imapPort: number
  /** IMAPS (implicit TLS) port on 127.0.0.1; 0 unless started with `imap: true`. */
  readonly imapsPort: number
  /** POP3 (STLS) and POP3S ports on 127.0.0.1; 0 unless started with `pop3: true`. */
  readonly pop3Port: number
  readonly pop3sPort: number
  /** The server's TLS certificate (PEM file in the data directory). */
  readonly certFile: string
  /** PID of the current `serve` process. */
  readonly pid: number
  /** SIGTERM, wait for exit, return the exit code (-1 if ended by a signal). */
  stop(): Promise<number>
  /** Sends a signal to the current `serve` process (by PID). */
  kill(signal: NodeJS.Signals): void
  /** Waits for the current process to exit (after kill), then starts `serve` again. */
  restart(): Promise<void>
  /** Resolves with the exit code of the current process when it exits. */
  exited(): Promise<number | null>
  metrics(): Promise<string>
  /** Stops the server if running and removes the data directory. */
  cleanup(): Promise<void>
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer()
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      if (addr === null || typeof addr === 'string') {
        fail(new Error('no port'))
        return
      }
      srv.close(() => {
        ok(addr.port)
      })
    })
  })
}

/** Listeners whose defaults are fixed ports (parallel tests would share them): off unless asked. */
const FIXED_PORT_LISTENERS_OFF = {
  POSTERN_LISTEN_SUBMISSION: '',
  POSTERN_LISTEN_SUBMISSIONS: '',
  POSTERN_LISTEN_IMAP: '',
  POSTERN_LISTEN_IMAPS: '',
  POSTERN_LISTEN_POP3: '',
  POSTERN_LISTEN_POP3S: '',
}

/** Runs `postern ARGS...` to completion (bounded), feeding `stdin` if given. */
export async function runPostern(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      POSTERN_LOG_LEVEL: 'warn',
      // Only a server listens; other commands read the configured listeners as they are.
      ...(args[0] === 'serve' ? FIXED_PORT_LISTENERS_OFF : {}),
      ...opts.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  child.stdin.end(opts.stdin ?? '')
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? CLI_TIMEOUT_MS)
  return new Promise((ok) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      ok({ code, signal, stdout, stderr })
    })
  })
}

async function mustRun(args: string[], stdin?: string): Promise<void> {
  const r = await runPostern(args, stdin === undefined ? {} : { stdin })
  if (r.code !== 0) {
    throw new Error(`postern ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`)
  }
}

/** Creates a data directory with `init`, domains, accounts and aliases (via the CLI). */
export async function initDataDir(opts: PosternOptions): Promise<{ root: string; data: string }> {
  const root = await mkdtemp(join(tmpdir(), 'postern-e2e-'))
  const data = join(root, 'data')
  const domain = opts.domain ?? 'example.test'
  await mustRun([
    'init',
    '--data',
    data,
    '--domain',
    domain,
    '--hostname',
    opts.hostname ?? `mx.${domain}`,
  ])
  for (const d of opts.domains ?? []) await mustRun(['domain', 'add', d, '--data', data])
  // One at a time: concurrent CLI processes get "database is locked" (no busy timeout).
  for (const u of opts.users ?? []) {
    await mustRun(['account', 'add', u.address, '--password-stdin', '--data', data], u.password)
  }
  for (const a of opts.aliases ?? []) {
    await mustRun(['alias', 'add', a.alias, ...a.targets, '--data', data])
  }
  return { root, data }
}

async function tail(file: string, lines = 40): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

async function isHealthy(httpPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`, {
      signal: AbortSignal.timeout(1000),
    })
    await res.arrayBuffer()
    return res.status === 200
  } catch {
    return false
  }
}

interface Running {
  child: ChildProcess
  exit: Promise<number | null>
  expectedExit: boolean
}

/** Starts Postern and resolves once GET /healthz answers 200. */
export async function startPosternProcess(opts: PosternOptions = {}): Promise<PosternProcess> {
  const { root, data } = await initDataDir(opts)
  const smtpPort = await freePort()
  const httpPort = await freePort()
  const imapPort = opts.imap === true ? await freePort() : 0
  const imapsPort = opts.imap === true ? await freePort() : 0
  const pop3Port = opts.pop3 === true ? await freePort() : 0
  const pop3sPort = opts.pop3 === true ? await freePort() : 0
  const logFile = join(root, 'serve.log')
  const env: Record<string, string> = {
    POSTERN_LISTEN_SMTP: `127.0.0.1:${smtpPort}`,
    POSTERN_LISTEN_HTTP: `127.0.0.1:${httpPort}`,
    POSTERN_LOG_LEVEL: 'info',
  }
  // Listeners not asked for are off (their defaults are fixed ports that parallel tests would
  // share), and plaintext logins are refused unless the test names networks for them.
  env.POSTERN_LISTEN_IMAP = opts.imap === true ? `127.0.0.1:${imapPort}` : ''
  env.POSTERN_LISTEN_IMAPS = opts.imap === true ? `127.0.0.1:${imapsPort}` : ''
  env.POSTERN_IMAP_PLAINTEXT_NETWORKS = (opts.imapPlaintextNetworks ?? []).join(',')
  env.POSTERN_LISTEN_POP3 = opts.pop3 === true ? `127.0.0.1:${pop3Port}` : ''
  env.POSTERN_LISTEN_POP3S = opts.pop3 === true ? `127.0.0.1:${pop3sPort}` : ''
  env.POSTERN_POP3_PLAINTEXT_NETWORKS = (opts.pop3PlaintextNetworks ?? []).join(',')
  env.POSTERN_LISTEN_SUBMISSION = ''
  env.POSTERN_LISTEN_SUBMISSIONS = ''
  Object.assign(env, opts.env)
  let current: Running | undefined

  const launch = async (): Promise<void> => {
    const log = await open(logFile, 'a')
    const child = spawn(process.execPath, [CLI, 'serve', '--data', data], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', log.fd, log.fd],
    })
    await log.close()
    const run: Running = {
      child,
      expectedExit: false,
      exit: new Promise((ok) => {
        child.on('exit', (code) => {
          ok(code)
        })
      }),
    }
    current = run
    void run.exit.then(async (code) => {
      if (!run.expectedExit) {
        // An unhandled rejection fails the running test file.
        throw new Error(`postern serve exited unexpectedly (${code}):\n${await tail(logFile)}`)
      }
    })
    const deadline = Date.now() + READY_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        run.expectedExit = true
        throw new Error(`postern serve exited before ready:\n${await tail(logFile)}`)
      }
      if (await isHealthy(httpPort)) return
      await new Promise((r) => setTimeout(r, 50))
    }
    run.expectedExit = true
    child.kill('SIGKILL')
    throw new Error(`postern serve not ready after ${READY_TIMEOUT_MS} ms:\n${await tail(logFile)}`)
  }

  const need = (): Running => {
    if (current === undefined) throw new Error('postern not started')
    return current
  }

  await launch()
  return {
    dataDir: data,
    logFile,
    smtpPort,
    httpPort,
    imapPort,
    imapsPort,
    pop3Port,
    pop3sPort,
    certFile: join(data, 'tls/cert.pem'),
    get pid() {
      return need().child.pid ?? -1
    },
    async stop() {
      const run = need()
      run.expectedExit = true
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM')
      const code = await run.exit
      return code ?? -1
    },
    kill(signal) {
      const run = need()
      run.expectedExit = true
      run.child.kill(signal)
    },
    async restart() {
      const run = need()
      run.expectedExit = true
      await run.exit
      await launch()
    },
    exited() {
      const run = need()
      run.expectedExit = true
      return run.exit
    },
    async metrics() {
      const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`)
      return res.text()
    },
    async cleanup() {
      if (current !== undefined) {
        const run = current
        run.expectedExit = true
        if (run.child.exitCode === null && run.child.signalCode === null) {
          run.child.kill('SIGTERM')
          const timer = setTimeout(() => run.child.kill('SIGKILL'), 15_000)
          await run.exit
          clearTimeout(timer)
        }
      }
      if (process.env.KEEP_E2E_DATA === undefined) {
        await rm(root, { recursive: true, force: true })
      }
    },
  }
}

/** Reads one counter (summed over its labels matching `labelFilter`) from /metrics text. */
export function metricValue(text: string, name: string, labelFilter = ''): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue
    if (labelFilter !== '' && !rest.includes(labelFilter)) continue
    const value = Number(rest.trim().split(/\s+/).at(-1))
    if (Number.isFinite(value)) sum += value
  }
  return sum
}
