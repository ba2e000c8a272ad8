// Tests `postern serve` as a process: first run creates the embedded default and prints the
// login once, /healthz answers, SIGTERM exits 0; a taken port exits 1 naming the listener.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const nodeBin = path.join(root, 'node_modules', '.bin', 'node')
const mainTs = path.join(root, 'src', 'cli', 'main.ts')

function startServe(data: string, env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('POSTERN_')),
  )
  return spawn(nodeBin, [mainTs, 'serve', '--data', data], { cwd: root, env: { ...base, ...env } })
}

function collect(child: ChildProcessWithoutNullStreams): {
  stdout: () => string
  stderr: () => string
} {
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  return { stdout: () => out, stderr: () => err }
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) =>
    child.on('close', (code) => {
      resolve(code)
    }),
  )
}

async function waitFor<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The HTTP port from the JSON log lines (the first line that names an http address). */
function httpPort(stdout: string): number | undefined {
  for (const line of stdout.split('\n')) {
    const match = /"http":\{"host":"[^"]+","port":(\d+)\}/.exec(line)
    if (match?.[1] !== undefined) return Number(match[1])
  }
  return undefined
}

/** The IMAP, POP3 and submission listeners default to fixed ports, which parallel tests would share. */
const OTHER_LISTENERS_OFF = {
  POSTERN_LISTEN_IMAP: '',
  POSTERN_LISTEN_IMAPS: '',
  POSTERN_LISTEN_POP3: '',
  POSTERN_LISTEN_POP3S: '',
  POSTERN_LISTEN_SUBMISSION: '',
  POSTERN_LISTEN_SUBMISSIONS: '',
}

void test('serve: embedded default, login printed once, healthz, SIGTERM exits 0', async (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'postern-serve-'))
  t.after(() => {
    rmSync(parent, { recursive: true, force: true })
  })
  const data = path.join(parent, 'data')
  const env = {
    ...OTHER_LISTENERS_OFF,
    POSTERN_LISTEN_SMTP: '127.0.0.1:0',
    POSTERN_LISTEN_HTTP: '127.0.0.1:0',
  }

  for (const run of ['first', 'second']) {
    const child = startServe(data, env)
    const exit = exited(child)
    t.after(() => child.kill('SIGKILL'))
    const output = collect(child)
    const port = await waitFor(() => httpPort(output.stdout()))
    const health = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`)
      return res.status === 200 ? res : undefined
    })
    assert.deepEqual(await health.json(), { status: 'ok' })
    if (run === 'first') {
      assert.match(output.stderr(), /Log in as postmaster@localhost with password [A-Za-z0-9]{20} /)
      assert.match(output.stdout(), /"event":"server.default-created"/)
    } else {
      assert.doesNotMatch(output.stderr(), /Log in as/)
    }
    for (const line of output.stdout().trim().split('\n'))
      assert.doesNotThrow(() => JSON.parse(line))
    child.kill('SIGTERM')
    assert.equal(await exit, 0, output.stderr())
  }
})

void test('serve: a taken port stops it at once with exit 1 naming the listener', async (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'postern-serve-'))
  t.after(() => {
    rmSync(parent, { recursive: true, force: true })
  })
  const blocker = net.createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.after(() => blocker.close())
  const taken = `127.0.0.1:${(blocker.address() as AddressInfo).port}`
  const child = startServe(path.join(parent, 'data'), {
    ...OTHER_LISTENERS_OFF,
    POSTERN_LISTEN_SMTP: taken,
    POSTERN_LISTEN_HTTP: '127.0.0.1:0',
  })
  t.after(() => child.kill('SIGKILL'))
  const output = collect(child)
  assert.equal(await exited(child), 1)
  assert.match(output.stderr(), /^postern: .*smtp.*EADDRINUSE/m)
})
