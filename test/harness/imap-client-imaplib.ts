// Runs test/e2e/fixtures/imaplib-steps.py (Python's stdlib imaplib) against a Postern
// process: the steps go in as JSON on stdin, one JSON line per step comes back. Bytes are
// carried as latin-1 strings; `bytesOf` turns them back into Buffers for exact comparison.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from './postern-process.ts'

const SCRIPT = join(REPO_ROOT, 'test/e2e/fixtures/imaplib-steps.py')

export type ImaplibStep =
  | { op: 'call'; name: string; args?: (string | null | { bytes: string })[] }
  | { op: 'uid'; args: string[] }
  | { op: 'idle'; timeout?: number }
  | { op: 'capabilities' }

/** imaplib's response data: strings, or [prefix, literal] pairs for literals. */
export type ImaplibData = (string | string[] | null)[]

export interface ImaplibResult {
  typ?: string
  data?: ImaplibData
  error?: string
  waited_s?: number
  event?: string
  capabilities?: string[]
}

export interface ImaplibRun {
  /** Connection and login events (`connected`, `login`). */
  events: ImaplibResult[]
  /** One result per step, in order. */
  results: ImaplibResult[]
  stderr: string
  code: number | null
}

export interface ImaplibOptions {
  port: number
  mode: 'plain' | 'starttls' | 'imaps'
  user: string
  password: string
  noLogin?: boolean
  /** Called when the script reports `{"event": "idling"}` (IDLE has started). */
  onIdling?: () => void
  timeoutMs?: number
}

/** Runs the steps on one imaplib connection. */
export async function runImaplib(opts: ImaplibOptions, steps: ImaplibStep[]): Promise<ImaplibRun> {
  const args = [SCRIPT, '--port', String(opts.port), '--mode', opts.mode]
  args.push('--user', opts.user, '--password', opts.password)
  if (opts.noLogin === true) args.push('--no-login')
  const child = spawn('python3', args, { stdio: ['pipe', 'pipe', 'pipe'] })
  const run: ImaplibRun = { events: [], results: [], stderr: '', code: null }
  let pending = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    pending += d
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl)
      pending = pending.slice(nl + 1)
      const r = JSON.parse(line) as ImaplibResult
      if (r.event === 'idling') opts.onIdling?.()
      if (r.event !== undefined) run.events.push(r)
      else run.results.push(r)
    }
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => (run.stderr += d))
  child.stdin.end(JSON.stringify(steps))
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
  run.code = await new Promise((ok) => {
    child.on('close', (code) => {
      clearTimeout(timer)
      ok(code)
    })
  })
  return run
}

/** A latin-1 string from the script as the bytes it stands for. */
export function bytesOf(s: string): Buffer {
  return Buffer.from(s, 'latin1')
}

/**
 * The literal of the FETCH item whose prefix matches `item` (e.g. /BODY\[TEXT\]/), from
 * imaplib FETCH data: [["1 (UID 4 BODY[TEXT] {12}", "literal"], ")"].
 */
export function fetchLiteral(data: ImaplibData | undefined, item: RegExp): Buffer | undefined {
  for (const d of data ?? []) {
    if (Array.isArray(d) && d.length === 2 && item.test(d[0] ?? '')) return bytesOf(d[1] ?? '')
  }
  return undefined
}

/** Every response line in imaplib data flattened to text (prefixes and literals alike). */
export function dataText(data: ImaplibData | undefined): string {
  return (data ?? []).map((d) => (Array.isArray(d) ? d.join('') : (d ?? ''))).join('\n')
}
