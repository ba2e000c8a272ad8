// bench/dmarc-record.ts — what recording DMARC evaluations costs the accept path (npm run
// bench:dmarc; a benchmark, not a test). On a fresh SQLite store, C concurrent writers each
// store messages with store.accept(), once alone and once with the evaluation row submitted in
// the same turn (as the dmarc-record stage does); prints the median and p99 accept latency and
// the commit count of both runs. Bounded: N <= 20,000 messages per run.
//
// Usage: node bench/dmarc-record.ts [--messages N] [--concurrency C]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { openStore } from '../src/store/open-store.ts'
import type { Store } from '../src/store/types.ts'
import type { DmarcEvaluation } from '../src/store/types-email-auth.ts'

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '20' },
  },
})
const MESSAGES = Math.min(20_000, Number(flags.messages))
const CONCURRENCY = Math.max(1, Number(flags.concurrency))
const BODY = Buffer.from(`From: a@sender.example\r\nSubject: bench\r\n\r\n${'x'.repeat(2000)}\r\n`)

function evaluation(now: number): DmarcEvaluation {
  return {
    evaluatedAt: now,
    policyDomain: 'sender.example',
    sourceIp: '192.0.2.1',
    headerFrom: 'sender.example',
    envelopeFrom: 'sender.example',
    envelopeTo: 'bench.test',
    spf: { domain: 'sender.example', scope: 'mfrom', result: 'pass', aligned: true },
    dkim: [{ domain: 'sender.example', selector: 's', result: 'pass', aligned: true }],
    dmarcResult: 'pass',
    policy: 'reject',
    disposition: 'none',
    reasons: [],
  }
}

async function run(
  record: boolean,
): Promise<{ latencies: number[]; commits: number; seconds: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'postern-bench-dmarc-'))
  let commits = 0
  const store: Store = openStore({ path: path.join(dir, 'db.sqlite'), onCommit: () => commits++ })
  try {
    await store.domains.add('bench.test')
    const account = await store.accounts.add({ address: 'u@bench.test', passwordHash: 'x' })
    const latencies: number[] = []
    let next = 0
    const started = performance.now()
    const worker = async (): Promise<void> => {
      while (next < MESSAGES) {
        next++
        const t0 = performance.now()
        const now = Date.now()
        if (record) {
          store.emailAuth.recordEvaluation(evaluation(now)).catch(() => undefined)
        }
        await store.accept({
          raw: BODY,
          receivedAt: now,
          mailFrom: 'a@sender.example',
          local: [{ accountId: account.id, rcptTo: 'u@bench.test' }],
          remote: [],
        })
        latencies.push(performance.now() - t0)
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    return { latencies, commits, seconds: (performance.now() - started) / 1000 }
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

for (const record of [false, true, false, true]) {
  const r = await run(record)
  console.log(
    `${record ? 'accept + evaluation' : 'accept alone       '}  messages ${MESSAGES}  ` +
      `concurrency ${CONCURRENCY}  p50 ${quantile(r.latencies, 0.5).toFixed(2)} ms  ` +
      `p99 ${quantile(r.latencies, 0.99).toFixed(2)} ms  ${(MESSAGES / r.seconds).toFixed(0)} msg/s  ` +
      `commits ${r.commits}`,
  )
}
