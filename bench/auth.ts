// bench/auth.ts — email authentication cost (npm run bench:auth; a benchmark, not a test).
// Runs the mx pipeline's "authenticate" stage in-process over N messages, each with one
// RSA-2048 DKIM signature, SPF (MAIL FROM and HELO) passing and a DMARC record, with the DNS
// answers in the resolver's cache (warm, as on a busy server): SPF + DKIM + DMARC + ARC and the
// header rewrite. Prints the throughput (messages/s, one at a time) and the latency the stage
// adds per message at p50/p99 against a baseline (the same context, authentication off). Ends
// with one machine-readable `RESULT key=value ...` line. Bounded: N <= 20,000, --timeout.
//
// Usage: node bench/auth.ts [--messages N] [--distinct D] [--timeout S]
import { generateKeyPairSync } from 'node:crypto'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { dkimSign } from 'mailauth'
import { cachingResolve, dnsError, resolverFrom, type ResolveFn } from '../src/dns/resolver.ts'
import { EmailAuthenticator } from '../src/email-auth/authenticator.ts'
import { scanHeaders } from '../src/mail/header-scan.ts'
import { authenticate } from '../src/smtp-server/pipeline/authenticate.ts'
import type { PipelineContext } from '../src/smtp-server/pipeline/context.ts'
import type { SmtpSession } from '../src/smtp-server/session.ts'
import { createLogger } from '../src/telemetry/logger.ts'

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '3000' },
    distinct: { type: 'string', default: '100' },
    timeout: { type: 'string', default: '120' },
  },
})
const MESSAGES = Math.min(20_000, Math.max(10, Number(flags.messages)))
const DISTINCT = Math.min(1000, Math.max(1, Number(flags.distinct)))
const DEADLINE = Date.now() + Number(flags.timeout) * 1000
const CLIENT_IP = '192.0.2.25'

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const KEY = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')

const ZONE: Record<string, Record<string, unknown>> = {
  'sel._domainkey.bench.example': { TXT: [[`v=DKIM1; k=rsa; p=${KEY}`]] },
  'bench.example': { TXT: [[`v=spf1 ip4:${CLIENT_IP} -all`]] },
  'mail.bench.example': { TXT: [[`v=spf1 ip4:${CLIENT_IP} -all`]] },
  '_dmarc.bench.example': { TXT: [['v=DMARC1; p=reject; rua=mailto:dmarc@bench.example']] },
}
const table: ResolveFn = (name, rrtype) => {
  const value = ZONE[name.toLowerCase()]?.[rrtype]
  return value === undefined
    ? Promise.reject(dnsError(ZONE[name.toLowerCase()] ? 'ENODATA' : 'ENOTFOUND', name, rrtype))
    : Promise.resolve(value)
}
// The network resolver's cache in front of the table: every answer after the first is a hit.
const resolver = resolverFrom(
  cachingResolve(table, {
    clock: Date.now,
    maxCacheMs: 3_600_000,
    negativeCacheMs: 3_600_000,
    maxEntries: 10_000,
  }),
)

async function makeMessages(): Promise<Buffer[]> {
  const paragraph = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. '
  const out: Buffer[] = []
  for (let i = 0; i < DISTINCT; i++) {
    const raw =
      `From: News <news@bench.example>\r\nTo: alice@example.test\r\nSubject: bench ${i}\r\n` +
      `Date: Sat, 28 Nov 2026 05:00:00 +0000\r\nMessage-ID: <${i}@bench.example>\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
      `${paragraph.repeat(40).replace(/(.{70})/g, '$1\r\n')}\r\n`
    const data = { signingDomain: 'bench.example', selector: 'sel', privateKey: PEM }
    const signed = await dkimSign(raw, { ...data, signatureData: [{ ...data }] })
    out.push(Buffer.from(signed.signatures + raw))
  }
  return out
}

const logger = createLogger({ level: 'silent' })

function context(body: Buffer, emailAuth: EmailAuthenticator | undefined): PipelineContext {
  const session = {
    deps: { emailAuth, resolver, settings: { role: 'mx', hostname: 'mx.example.test' }, logger },
    greeting: { kind: 'ehlo', domain: 'mail.bench.example' },
    conn: { remoteAddress: CLIENT_IP },
    logFields: () => ({ cid: 'bench', remote: CLIENT_IP, role: 'mx' }),
  } as unknown as SmtpSession
  return {
    session,
    transaction: { mailFrom: 'bounce@bench.example', params: {}, rcpts: [], chunks: undefined },
    body,
    queueId: 'bench',
    receivedAt: Date.now(),
    headers: scanHeaders(body),
    prepend: [],
    mailbox: 'INBOX',
    local: [],
    remote: [],
    delivered: 0,
  } as unknown as PipelineContext
}

async function run(
  messages: Buffer[],
  count: number,
  emailAuth: EmailAuthenticator | undefined,
): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < count && Date.now() < DEADLINE; i++) {
    const body = messages[i % messages.length] ?? Buffer.alloc(0)
    const started = process.hrtime.bigint()
    const ctx = context(body, emailAuth)
    const result = await authenticate(ctx)
    times.push(Number(process.hrtime.bigint() - started) / 1e6)
    if (
      emailAuth !== undefined &&
      (result.kind !== 'continue' || ctx.auth?.dmarc.result !== 'pass')
    ) {
      throw new Error(`unexpected result: ${ctx.auth?.header ?? result.kind}`)
    }
  }
  return times
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN
}

const messages = await makeMessages()
const emailAuth = new EmailAuthenticator({
  authservId: 'mx.example.test',
  timeoutMs: 5000,
  trustedForwarders: [],
  trustedArcSealers: [],
  dmarcExceptions: [],
})
await run(messages, Math.min(300, MESSAGES), emailAuth) // warm: DNS cache, JIT
await run(messages, Math.min(300, MESSAGES), undefined)
const base = (await run(messages, MESSAGES, undefined)).sort((a, b) => a - b)
const startedAll = performance.now()
const cpuBefore = process.cpuUsage()
const auth = await run(messages, MESSAGES, emailAuth)
const cpu = process.cpuUsage(cpuBefore)
const seconds = (performance.now() - startedAll) / 1000
// CPU time is what the check costs; wall time also counts waiting for a CPU on a busy machine.
const cpuMsPerMessage = (cpu.user + cpu.system) / 1000 / auth.length
auth.sort((a, b) => a - b)
const rate = auth.length / seconds
const p50 = percentile(auth, 50) - percentile(base, 50)
const p99 = percentile(auth, 99) - percentile(base, 99)
console.log(
  `email authentication, ${auth.length} messages (${messages.length} distinct, ~${messages[0]?.length ?? 0} bytes, one RSA-2048 DKIM signature), warm DNS cache`,
)
console.log(`  throughput (one at a time): ${rate.toFixed(0)} messages/s`)
console.log(
  `  stage time p50 ${percentile(auth, 50).toFixed(3)} ms, p99 ${percentile(auth, 99).toFixed(3)} ms`,
)
console.log(
  `  baseline   p50 ${percentile(base, 50).toFixed(3)} ms, p99 ${percentile(base, 99).toFixed(3)} ms`,
)
console.log(
  `  CPU time per message: ${cpuMsPerMessage.toFixed(3)} ms (load average ${loadavg()[0]?.toFixed(1) ?? '?'})`,
)
console.log(`  added      p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (goal: p50 < 2 ms)`)
console.log(
  `RESULT messages=${auth.length} msgs_per_s=${rate.toFixed(0)} added_p50_ms=${p50.toFixed(3)} added_p99_ms=${p99.toFixed(3)} cpu_ms_per_msg=${cpuMsPerMessage.toFixed(3)} goal_met=${p50 < 2}`,
)
