// bench/smtp.ts — inbound SMTP benchmark (npm run bench:smtp; a benchmark, not a test).
// Starts Postern (durability on, as always) with users u1..u50@bench.test, then runs
// N concurrent sessions x M messages of about 4 KB to local users and prints accepted
// messages/s, the time until all are in their mailboxes (postern_deliveries_total from
// /metrics), p50/p99 latency from end-of-data to 250, the server's RSS, and the CPU time per
// message of the server and of this client (they share the machine's cores: a busy client
// slows the server it measures). Ends with one machine-readable `RESULT key=value ...` line.
// POSTERN_* variables in the environment reach the server (e.g. POSTERN_SPAM_ENABLED=false).
//
// Usage: node bench/smtp.ts [--sessions N] [--messages M] [--reuse] [--size BYTES]
//   --sessions N   concurrent SMTP sessions [10]
//   --messages M   messages per session [200]
//   --reuse        send all of a session's messages over one connection (default: one
//                  connection per message, like independent senders)
//   --size BYTES   approximate message size [4096]
//   --users N      recipients u1..uN@bench.test [50]
//   --timeout S    upper bound for the whole run in seconds [300]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import {
  metricValue,
  startPosternProcess,
  type PosternProcess,
} from '../test/harness/postern-process.ts'
import { SmtpClient, dataBlock } from '../test/harness/smtp-client.ts'

const { values: flags } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10' },
    messages: { type: 'string', default: '200' },
    reuse: { type: 'boolean', default: false },
    size: { type: 'string', default: '4096' },
    users: { type: 'string', default: '50' },
    timeout: { type: 'string', default: '300' },
  },
})
const SESSIONS = Number(flags.sessions)
const MESSAGES = Number(flags.messages)
const SIZE = Number(flags.size)
const NUSERS = Number(flags.users)
const DEADLINE = Date.now() + Number(flags.timeout) * 1000

function message(id: string, to: string): Buffer {
  const head =
    `From: <bench@client.test>\r\nTo: <${to}>\r\nSubject: bench ${id}\r\n` +
    `Message-ID: <${id}@client.test>\r\nDate: ${new Date().toUTCString()}\r\n` +
    'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n'
  const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnop.\r\n'
  let body = ''
  while (head.length + body.length + line.length <= SIZE) body += line
  return Buffer.from(head + body, 'latin1')
}

interface SessionStats {
  accepted: number
  failed: number
  latenciesMs: number[]
}

async function sendOne(c: SmtpClient, id: string, to: string, stats: SessionStats): Promise<void> {
  const mail = await c.command('MAIL FROM:<bench@client.test>')
  const rcpt = await c.command(`RCPT TO:<${to}>`)
  const data = await c.command('DATA')
  if (mail.code !== 250 || rcpt.code !== 250 || data.code !== 354) {
    stats.failed++
    if (data.code === 354) c.write('.\r\n')
    await c.command('RSET')
    return
  }
  const block = dataBlock(message(id, to))
  c.write(block.subarray(0, -3))
  const t0 = performance.now()
  c.write(block.subarray(-3))
  const r = await c.read()
  stats.latenciesMs.push(performance.now() - t0)
  if (r.code === 250) stats.accepted++
  else stats.failed++
}

async function session(srv: PosternProcess, n: number, stats: SessionStats): Promise<void> {
  let c: SmtpClient | undefined
  for (let i = 0; i < MESSAGES && Date.now() < DEADLINE; i++) {
    if (c === undefined) {
      c = await SmtpClient.connect(srv.smtpPort, { timeoutMs: 60_000 })
      // The final ".\r\n" is written apart from the body (to time end-of-data → 250): with
      // Nagle's algorithm on, it waited for the server's delayed ACK of the body (~40 ms on
      // Linux), which the client, not the server, cost. Real MTAs flush the dot with the body.
      c.socket.setNoDelay(true)
      await c.transact(250, 'EHLO client.test')
    }
    const to = `u${((n * MESSAGES + i) % NUSERS) + 1}@bench.test`
    await sendOne(c, `${n}-${i}-${Date.now()}`, to, stats)
    if (!flags.reuse) {
      await c.quit()
      c = undefined
    }
  }
  await c?.quit()
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}

/** CPU time (user + system) the process has used so far, in ms (/proc/PID/stat, 100 Hz ticks). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return NaN
  }
}

function rssMb(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1])
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 }
  } catch {
    return { rss: NaN, hwm: NaN }
  }
}

async function waitDelivered(srv: PosternProcess, target: number): Promise<boolean> {
  while (Date.now() < DEADLINE) {
    if (metricValue(await srv.metrics(), 'postern_deliveries_total') >= target) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return false
}

async function main(): Promise<void> {
  console.log(`starting postern with ${NUSERS} users...`)
  const srv = await startPosternProcess({
    domain: 'bench.test',
    hostname: 'mx.bench.test',
    users: Array.from({ length: NUSERS }, (_, i) => ({
      address: `u${i + 1}@bench.test`,
      password: 'benchpass',
    })),
    env: {
      POSTERN_LOG_LEVEL: 'warn',
      POSTERN_SMTP_MAX_CONNECTIONS_PER_IP: String(Math.max(50, SESSIONS * 2)),
    },
  })
  try {
    const base = metricValue(await srv.metrics(), 'postern_deliveries_total')
    const all: SessionStats = { accepted: 0, failed: 0, latenciesMs: [] }
    const perSession = Array.from({ length: SESSIONS }, () => ({
      accepted: 0,
      failed: 0,
      latenciesMs: [] as number[],
    }))
    console.log(
      `sending ${SESSIONS} sessions x ${MESSAGES} messages of ~${SIZE} bytes` +
        (flags.reuse ? ' (connection reuse)' : ' (one connection per message)'),
    )
    const serverCpu0 = cpuMs(srv.pid)
    const clientCpu0 = process.cpuUsage()
    const t0 = performance.now()
    await Promise.all(perSession.map((stats, n) => session(srv, n, stats)))
    const acceptS = (performance.now() - t0) / 1000
    const serverCpuMs = cpuMs(srv.pid) - serverCpu0
    const clientCpu = process.cpuUsage(clientCpu0)
    const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000
    for (const s of perSession) {
      all.accepted += s.accepted
      all.failed += s.failed
      all.latenciesMs.push(...s.latenciesMs)
    }
    const delivered = await waitDelivered(srv, base + all.accepted)
    const e2eS = (performance.now() - t0) / 1000
    const sorted = all.latenciesMs.sort((a, b) => a - b)
    const mem = rssMb(srv.pid)
    const r = {
      sessions: SESSIONS,
      messages: SESSIONS * MESSAGES,
      reuse: flags.reuse ? 1 : 0,
      accepted: all.accepted,
      failed: all.failed,
      accept_s: acceptS.toFixed(2),
      accept_mps: (all.accepted / acceptS).toFixed(1),
      e2e_s: delivered ? e2eS.toFixed(2) : 'timeout',
      e2e_mps: delivered ? (all.accepted / e2eS).toFixed(1) : '0',
      p50_ms: percentile(sorted, 50).toFixed(2),
      p99_ms: percentile(sorted, 99).toFixed(2),
      rss_mb: mem.rss.toFixed(1),
      hwm_mb: mem.hwm.toFixed(1),
      server_cpu_ms_per_msg: (serverCpuMs / all.accepted).toFixed(2),
      client_cpu_ms_per_msg: (clientCpuMs / all.accepted).toFixed(2),
    }
    console.log(`accepted ${r.accepted}/${r.messages} in ${r.accept_s} s: ${r.accept_mps} msg/s`)
    console.log(`all readable in mailboxes after ${r.e2e_s} s: ${r.e2e_mps} msg/s end to end`)
    console.log(`end-of-data -> 250 latency: p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms`)
    console.log(`server RSS ${r.rss_mb} MB (peak ${r.hwm_mb} MB)`)
    console.log(
      `CPU per accepted message: server ${r.server_cpu_ms_per_msg} ms, ` +
        `this client ${r.client_cpu_ms_per_msg} ms (2 cores shared)`,
    )
    console.log(
      'RESULT ' +
        Object.entries(r)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
    )
    if (all.failed > 0 || !delivered) process.exitCode = 1
  } finally {
    await srv.cleanup()
  }
}

await main()
