// `npm run bench:spam`: the spam analyzer on one core. A mix of ~20 KB messages (plain text,
// an HTML newsletter, a receipt with a PDF, HTML spam with a zip attachment) is analysed
// sequentially: throughput in messages/s, and the latency one analysis adds at p50/p99,
// with the DNS blocklist source asking a warm static resolver (the DNS answers in memory).
// msg/s is wall clock; "per CPU-second" divides by the CPU time this process used, which is
// the one-core figure on a machine busy with other work. Bounded: at most MAX_MESSAGES analyses or MAX_SECONDS per phase. Prints medians of ROUNDS.
import { availableParallelism, loadavg } from 'node:os'
import { staticResolver } from '../src/dns/resolver.ts'
import { SpamAnalyzer } from '../src/spam/analyze.ts'
import { DnsBlocklists } from '../src/spam/dnsbl/dnsbl.ts'
import {
  buildMessage,
  newsletter,
  pdfBytes,
  personalMessage,
  strongSpam,
  zipBytes,
} from '../src/spam/sample-messages.ts'
import type { SignalInput } from '../src/spam/signal.ts'

const TARGET_BYTES = 20_000
const MAX_MESSAGES = 20_000
const MAX_SECONDS = 5
const ROUNDS = 3

const SENTENCE =
  'The quarterly report covers sales, staffing and the move to the new office in spring. '

function padText(raw: Buffer): Buffer {
  const text = raw.toString('latin1')
  const missing = Math.max(0, TARGET_BYTES - raw.length)
  const filler = SENTENCE.repeat(Math.ceil(missing / SENTENCE.length)).slice(0, missing)
  return Buffer.from(text.replace(/\r\n$/, `\r\n${filler}\r\n`), 'latin1')
}

function mix(): Buffer[] {
  const longText = SENTENCE.repeat(200)
  const html = `<html><body>${Array.from({ length: 60 }, (_, i) => `<p>${SENTENCE}<a href="https://news.example.org/s/${i}">more</a></p>`).join('')}</body></html>`
  return [
    buildMessage({ subject: 'Quarterly report', text: longText }),
    padText(newsletter()),
    buildMessage({ subject: 'Newsletter', text: longText.slice(0, 6000), html }),
    buildMessage({
      subject: 'Your receipt',
      text: 'Receipt attached.\r\n',
      attachments: [
        { filename: 'receipt.pdf', contentType: 'application/pdf', data: pdfBytes(14_000) },
      ],
    }),
    buildMessage({
      subject: 'INVOICE OVERDUE!!!',
      html: strongSpam().toString('latin1').slice(0, 4000),
      text: 'Open the attached invoice now.',
      attachments: [
        {
          filename: 'invoice.zip',
          contentType: 'application/zip',
          data: zipBytes(['invoice.pdf.exe', 'readme.txt']),
        },
      ],
    }),
    padText(personalMessage()),
  ]
}

function input(raw: Buffer): SignalInput {
  return {
    raw,
    clientIp: '198.51.100.23',
    helo: 'mail.sender.example',
    mailFrom: 'a@sender.example',
    rcpts: ['b@example.test'],
    accountIds: [1],
    direction: 'inbound',
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
}

function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
}

async function round(analyzer: SpamAnalyzer, messages: readonly Buffer[]) {
  const latencies: number[] = []
  const cpu0 = process.cpuUsage()
  const started = performance.now()
  let n = 0
  while (n < MAX_MESSAGES && performance.now() - started < MAX_SECONDS * 1000) {
    const raw = messages[n % messages.length] ?? Buffer.alloc(0)
    const t0 = performance.now()
    await analyzer.analyze(input(raw))
    latencies.push(performance.now() - t0)
    n++
  }
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpu0)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  latencies.sort((a, b) => a - b)
  return {
    rate: n / seconds,
    cpuRate: n / cpuSeconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    n,
  }
}

async function main(): Promise<void> {
  process.stdout.write(
    `load average ${loadavg()[0]?.toFixed(1) ?? '?'} on ${availableParallelism()} CPUs\n`,
  )
  const messages = mix()
  const avg = messages.reduce((s, m) => s + m.length, 0) / messages.length
  // Warm DNS: every question the blocklists ask is answered from memory (NXDOMAIN = not listed).
  const resolver = staticResolver({})
  const dnsbl = new DnsBlocklists({
    resolver,
    ipLists: [{ zone: 'bl.example', weight: 3 }],
    domainLists: [{ zone: 'dbl.example', weight: 3 }],
    timeoutMs: 1000,
    maxDomains: 10,
  })
  const thresholds = { junk: 5, reject: 12, preflight: 8 }
  const rulesOnly = new SpamAnalyzer({ thresholds })
  const withDns = new SpamAnalyzer({ thresholds, signals: [dnsbl] })
  await round(rulesOnly, messages) // warm-up (JIT, data files)
  for (const [name, analyzer] of [
    ['content rules', rulesOnly],
    ['rules + DNSBL (warm DNS)', withDns],
  ] as const) {
    const results = []
    for (let i = 0; i < ROUNDS; i++) results.push(await round(analyzer, messages))
    const rate = median(results.map((r) => r.rate))
    const cpuRate = median(results.map((r) => r.cpuRate))
    const p50 = median(results.map((r) => r.p50))
    const p99 = median(results.map((r) => r.p99))
    process.stdout.write(
      `${name.padEnd(26)} ${Math.round(rate)} msg/s (${Math.round(cpuRate)} per CPU-second)  p50 ${p50.toFixed(2)} ms  p99 ${p99.toFixed(2)} ms` +
        `  (${messages.length} kinds, avg ${Math.round(avg / 1024)} KB, median of ${ROUNDS} rounds)\n`,
    )
  }
}

await main()
