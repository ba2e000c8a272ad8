// bench/transport.ts — the SMTP transport alone (npm run bench:transport; a benchmark, not a
// test). Delivers N messages (one recipient each, S bytes) with createSmtpTransport to a sink
// on loopback: Postfix's smtp-sink when installed (a C event loop, so the client is what is
// measured), else the scripted SMTP server. Three modes, each run R times:
//   reuse     one delivery at a time, connections kept (max 100 messages per connection);
//   no-reuse  one delivery at a time, a new connection (greeting, EHLO, QUIT) per message;
//   parallel  C deliveries at once, connections kept.
// Prints, per mode, the median over runs of deliveries/s and of the per-delivery latency
// (p50, p99). Ends with one machine-readable `RESULT key=value ...` line. Bounded: N <= 20,000,
// every step under the transport's timeouts (5 s), the sink stopped by pid.
//
// Usage: node bench/transport.ts [--messages N] [--size S] [--runs R] [--concurrency C]
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { parseArgs } from 'node:util'
import { staticResolver } from '../src/dns/resolver.ts'
import { createSmtpTransport } from '../src/outbound/smtp-transport.ts'
import type { DeliveryRequest } from '../src/outbound/transport.ts'
import { startScriptedSmtpServer } from '../test/harness/scripted-smtp-server.ts'
import { freePort } from '../test/harness/postfix-instance.ts'

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    size: { type: 'string', default: '4096' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '10' },
  },
})
const MESSAGES = Math.min(20_000, Math.max(10, Number(flags.messages)))
const SIZE = Math.min(10_000_000, Math.max(100, Number(flags.size)))
const RUNS = Math.min(10, Math.max(1, Number(flags.runs)))
const CONCURRENCY = Math.min(100, Math.max(1, Number(flags.concurrency)))
const HOST = '127.0.0.8'

interface Sink {
  kind: string
  port: number
  stop(): Promise<void>
}

async function startSink(): Promise<Sink> {
  if (existsSync('/usr/sbin/smtp-sink')) {
    const port = await freePort(HOST)
    // -c: count only; -u: the user to run as (required as root); 1000: listen backlog. Pipelining and 8BITMIME are offered by default.
    const child: ChildProcess = spawn(
      '/usr/sbin/smtp-sink',
      [
        '-c',
        ...(process.getuid?.() === 0 ? ['-u', 'postfix'] : []),
        `${HOST}:${String(port)}`,
        '1000',
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    )
    await waitListening(port)
    return {
      kind: 'smtp-sink',
      port,
      stop: async () => {
        if (child.exitCode !== null) return
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      },
    }
  }
  const srv = await startScriptedSmtpServer({ host: HOST, maxMessageBytes: SIZE * 2 })
  return { kind: 'scripted', port: srv.port, stop: () => srv.close() }
}

async function waitListening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: HOST, port })
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => {
        resolve(false)
      })
    })
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('the sink did not start')
}

function message(i: number): Buffer {
  const head = `From: <a@postern.test>\r\nTo: <b@sink.test>\r\nSubject: bench ${String(i)}\r\n\r\n`
  const line = 'x'.repeat(76) + '\r\n'
  const body = line.repeat(Math.max(1, Math.floor((SIZE - head.length) / line.length)))
  return Buffer.from(head + body)
}

interface ModeResult {
  perSecond: number
  p50: number
  p99: number
}

async function runMode(port: number, mode: 'reuse' | 'no-reuse' | 'parallel'): Promise<ModeResult> {
  const transport = createSmtpTransport({
    resolver: staticResolver({
      'sink.test': { MX: [{ exchange: 'mx.sink.test', priority: 10 }] },
      'mx.sink.test': { A: [HOST] },
    }),
    hostname: 'bench.postern.test',
    port,
    families: [4],
    mtaSts: false,
    maxMessagesPerConnection: mode === 'no-reuse' ? 1 : 100,
    timeouts: {
      connectMs: 5000,
      commandMs: 5000,
      dataInitMs: 5000,
      dataBlockMs: 5000,
      dataEndMs: 5000,
    },
  })
  const latencies: number[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < MESSAGES) {
      const i = next++
      const request: DeliveryRequest = {
        domain: 'sink.test',
        mailFrom: 'a@postern.test',
        recipients: [{ id: i, address: `b${String(i % 50)}@sink.test` }],
        message: message(i),
      }
      const t0 = performance.now()
      const out = await transport.deliver(request)
      latencies.push(performance.now() - t0)
      if (out.recipients[0]?.kind !== 'delivered') {
        throw new Error(`not delivered: ${out.log.slice(-5).join(' | ')}`)
      }
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: mode === 'parallel' ? CONCURRENCY : 1 }, worker))
  const seconds = (performance.now() - start) / 1000
  await transport.close()
  latencies.sort((a, b) => a - b)
  return {
    perSecond: MESSAGES / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

const sink = await startSink()
const summary: string[] = []
try {
  console.log(
    `transport → ${sink.kind} on ${HOST}: ${String(MESSAGES)} messages of ${String(SIZE)} bytes, ` +
      `${String(RUNS)} runs, parallel = ${String(CONCURRENCY)}`,
  )
  for (const mode of ['reuse', 'no-reuse', 'parallel'] as const) {
    const results: ModeResult[] = []
    for (let r = 0; r < RUNS; r++) results.push(await runMode(sink.port, mode))
    const rate = median(results.map((x) => x.perSecond))
    const p50 = median(results.map((x) => x.p50))
    const p99 = median(results.map((x) => x.p99))
    console.log(
      `${mode.padEnd(9)} ${rate.toFixed(0).padStart(6)} deliveries/s   latency p50 ${p50.toFixed(2)} ms   p99 ${p99.toFixed(2)} ms`,
    )
    const key = mode.replace('-', '_')
    summary.push(
      `${key}_per_s=${rate.toFixed(0)} ${key}_p50_ms=${p50.toFixed(2)} ${key}_p99_ms=${p99.toFixed(2)}`,
    )
  }
} finally {
  await sink.stop()
}
console.log(
  `RESULT sink=${sink.kind} messages=${String(MESSAGES)} size=${String(SIZE)} ${summary.join(' ')}`,
)
