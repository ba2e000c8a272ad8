// bench/imap.ts — IMAP benchmark (npm run bench:imap; a benchmark, not a test).
// Starts Postern with IMAP on loopback, delivers --messages (10,000) messages of about 2 KB
// over SMTP (--smtp-sessions at once) to one account, then measures:
//   fetch   UID FETCH of 1,000 message headers (BODY.PEEK[HEADER]), best and median of 5
//   search  SEARCH TEXT over all the messages (rare, medium and common words), p50/max
//   memory  server RSS (/proc/PID/status VmRSS) before/after --conns idle authenticated
//           connections (LOGIN, SELECT INBOX, IDLE), per connection; measured first, on the
//           fresh server after a warm-up, so earlier phases' garbage does not blur it
//   idle    delivery -> untagged EXISTS on an IDLE session over --idle deliveries: p50/p99
//           from the end of DATA (the client's ".") and from the SMTP 250. Postern sends
//           the EXISTS as it commits, usually before the 250 reaches the client, so the
//           250-based figure is clamped at 0 and the end-of-DATA one is the upper bound
// Goals (issue 3, 2-core machine): SEARCH TEXT < 50 ms; < 64 KB per idle connection; IDLE
// notification < 100 ms at p99. Ends with one machine-readable `RESULT key=value ...` line.
//
// Usage: node bench/imap.ts [--messages N] [--idle N] [--conns N] [--timeout S]
//   --messages N       messages in the searched mailbox [10000]
//   --smtp-sessions N  concurrent SMTP sessions delivering them [8]
//   --idle N           deliveries timed to the IDLE notification [200]
//   --conns N          idle authenticated connections for the memory figure [1000]
//   --users N          accounts the idle connections log in to, round-robin [50]
//   --timeout S        upper bound for the whole run in seconds [600]
import { readFileSync, readdirSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { LOOPBACK_NETWORKS, startPosternProcess } from '../test/harness/postern-process.ts'
import { ImapClient } from '../test/harness/imap-client.ts'
import { deliver, testMessage } from '../test/harness/imap-client-mail.ts'
import { SmtpClient, dataBlock } from '../test/harness/smtp-client.ts'

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    'smtp-sessions': { type: 'string', default: '8' },
    idle: { type: 'string', default: '200' },
    conns: { type: 'string', default: '1000' },
    users: { type: 'string', default: '50' },
    timeout: { type: 'string', default: '600' },
  },
})
const MESSAGES = Number(flags.messages)
const SMTP_SESSIONS = Number(flags['smtp-sessions'])
const IDLE_N = Number(flags.idle)
const CONNS = Number(flags.conns)
const NUSERS = Number(flags.users)
const DEADLINE = Date.now() + Number(flags.timeout) * 1000
const PASS = 'benchpass'
const MAIN = 'main@bench.test'
const WATCH = 'watch@bench.test'

// Deterministic text: a vocabulary with a Zipf-like spread, plus a few marker words whose
// frequency is known (1 in 1000, 1 in 10, every message).
const VOCAB = Array.from(
  { length: 4000 },
  (_, i) => `w${i.toString(36)}x${((i * 7919) % 997).toString(36)}`,
)
let seed = 42
function rand(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed / 0x7fffffff
}
function body(i: number): string {
  const words: string[] = []
  while (words.join(' ').length < 1800)
    words.push(VOCAB[Math.floor(rand() ** 3 * VOCAB.length)] ?? 'w')
  if (i % 1000 === 7) words.push('raremarker')
  if (i % 10 === 3) words.push('tenthmarker')
  words.push('everymarker')
  return words.join(' ').replace(/(.{1,72})(?: |$)/g, '$1\n')
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1])
}

function left(): number {
  const ms = DEADLINE - Date.now()
  if (ms <= 0) throw new Error('bench: --timeout reached')
  return ms
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now()
  const v = await fn()
  return [performance.now() - t0, v]
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length
  } catch {
    return NaN
  }
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms))

interface Server {
  pid: number
  imapPort: number
  smtpPort: number
}

/** Opens `count` connections (20 at a time): LOGIN (users round-robin), SELECT, IDLE. */
async function openIdle(srv: Server, users: string[], count: number): Promise<ImapClient[]> {
  const open: ImapClient[] = []
  let next = 0
  const opener = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      left()
      const ic = await ImapClient.connect(srv.imapPort, { timeoutMs: 60_000 })
      open.push(ic)
      await ic.login(users[i % users.length] ?? MAIN, PASS)
      await ic.ok('SELECT INBOX')
      await ic.idle()
    }
  }
  try {
    await Promise.all(Array.from({ length: 20 }, opener))
  } catch (err) {
    for (const ic of open) ic.close()
    throw err
  }
  return open
}

async function memoryPhase(srv: Server, users: string[], r: Result): Promise<void> {
  // Warm-up: every code path of LOGIN/SELECT/IDLE loaded, scrypt buffers used once.
  for (const ic of await openIdle(srv, users, 40)) await ic.logout()
  await sleep(2000)
  const before = rssKb(srv.pid)
  const fdsBefore = fdCount(srv.pid)
  const [openMs, conns] = await timed(() => openIdle(srv, users, CONNS))
  await sleep(5000)
  const afterKb = rssKb(srv.pid)
  const fds = fdCount(srv.pid) - fdsBefore
  for (const ic of conns) ic.close()
  r.conns = CONNS
  r.server_fds_added = fds
  r.rss_before_mb = (before / 1024).toFixed(1)
  r.rss_after_mb = (afterKb / 1024).toFixed(1)
  r.kb_per_conn = ((afterKb - before) / CONNS).toFixed(1)
  console.log(
    `${CONNS} idle connections (server holds ${fds} more fds) opened in ` +
      `${(openMs / 1000).toFixed(1)} s: RSS ${r.rss_before_mb} -> ${r.rss_after_mb} MB, ` +
      `${r.kb_per_conn} KB per connection`,
  )
}

async function fetchSearchPhase(srv: Server, r: Result): Promise<void> {
  console.log(`delivering ${MESSAGES} messages over SMTP (${SMTP_SESSIONS} sessions)...`)
  const mails = Array.from({ length: MESSAGES }, (_, i) => ({
    to: MAIN,
    message: testMessage({ id: `b${i}`, to: MAIN, subject: `bench message ${i}`, body: body(i) }),
  }))
  const [fillMs] = await timed(() => deliver(srv.smtpPort, mails, SMTP_SESSIONS))
  r.messages = MESSAGES
  r.fill_mps = ((MESSAGES / fillMs) * 1000).toFixed(0)
  console.log(`  ${MESSAGES} delivered in ${(fillMs / 1000).toFixed(1)} s (${r.fill_mps}/s)`)

  const c = await ImapClient.connect(srv.imapPort, { timeoutMs: 120_000 })
  try {
    await c.login(MAIN, PASS)
    const [selectMs] = await timed(() => c.ok('SELECT INBOX'))
    r.select_ms = selectMs.toFixed(1)

    const n = Math.min(1000, MESSAGES)
    const fetchMs: number[] = []
    for (let i = 0; i < 5; i++) {
      const [ms, res] = await timed(() => c.ok(`FETCH 1:${n} (UID FLAGS BODY.PEEK[HEADER])`))
      const got = res.untagged.filter((u) => / FETCH \(/.test(u.subarray(0, 24).toString())).length
      if (got !== n) throw new Error(`FETCH 1:${n} returned ${got} messages`)
      fetchMs.push(ms)
    }
    fetchMs.sort((a, b) => a - b)
    r.fetch1000_best_ms = (fetchMs[0] ?? NaN).toFixed(1)
    r.fetch1000_p50_ms = percentile(fetchMs, 50).toFixed(1)
    console.log(
      `FETCH ${n} headers: best ${r.fetch1000_best_ms} ms, median ${r.fetch1000_p50_ms} ms`,
    )

    const searches: [string, number][] = [
      ['raremarker', Math.floor((MESSAGES - 8) / 1000) + 1],
      ['tenthmarker', Math.floor((MESSAGES - 4) / 10) + 1],
      ['everymarker', MESSAGES],
      [VOCAB[3] ?? 'w', -1],
      ['nosuchwordanywhere', 0],
    ]
    const searchMs: number[] = []
    let wrong = 0
    for (const [word, want] of searches) {
      for (let i = 0; i < 3; i++) {
        const [ms, res] = await timed(() => c.ok(`UID SEARCH TEXT ${word}`))
        const hits = res.untagged
          .map((u) => u.toString('latin1'))
          .filter((l) => l.startsWith('* SEARCH'))
          .join(' ')
          .split(' ')
          .slice(2)
          .filter(Boolean).length
        if (want >= 0 && hits !== want) wrong++
        searchMs.push(ms)
        if (i === 2)
          console.log(`  SEARCH TEXT ${word}: ${hits} hits (want ${want}), ${ms.toFixed(1)} ms`)
      }
    }
    searchMs.sort((a, b) => a - b)
    r.search_text_p50_ms = percentile(searchMs, 50).toFixed(1)
    r.search_text_max_ms = (searchMs.at(-1) ?? NaN).toFixed(1)
    r.search_wrong = wrong
    console.log(
      `SEARCH TEXT over ${MESSAGES}: p50 ${r.search_text_p50_ms} ms, max ${r.search_text_max_ms} ms`,
    )
  } finally {
    await c.logout()
  }
}

async function idlePhase(srv: Server, r: Result): Promise<void> {
  const w = await ImapClient.connect(srv.imapPort)
  const smtp = await SmtpClient.connect(srv.smtpPort, { timeoutMs: 30_000 })
  const fromDot: number[] = []
  const from250: number[] = []
  let early = 0
  try {
    await w.login(WATCH, PASS)
    await w.ok('SELECT INBOX')
    await w.idle()
    await smtp.transact(250, 'EHLO client.test')
    for (let i = 0; i < IDLE_N && left() > 0; i++) {
      const exists = w
        .waitUntagged(new RegExp(`^\\* ${i + 1} EXISTS`), 10_000)
        .then(() => performance.now())
      await smtp.transact(250, 'MAIL FROM:<sender@client.test>')
      await smtp.transact(250, `RCPT TO:<${WATCH}>`)
      await smtp.transact(354, 'DATA')
      const block = dataBlock(testMessage({ id: `idle${i}`, to: WATCH }).raw)
      smtp.write(block.subarray(0, -3))
      const tDot = performance.now()
      smtp.write(block.subarray(-3))
      const reply = await smtp.read()
      const t250 = performance.now()
      if (reply.code !== 250) throw new Error(`SMTP: ${reply.raw}`)
      const tExists = await exists
      if (tExists < t250) early++
      fromDot.push(tExists - tDot)
      from250.push(Math.max(0, tExists - t250))
    }
    await w.done()
  } finally {
    await smtp.quit()
    await w.logout()
  }
  fromDot.sort((a, b) => a - b)
  from250.sort((a, b) => a - b)
  r.idle_n = fromDot.length
  r.idle_p50_ms = percentile(fromDot, 50).toFixed(2)
  r.idle_p99_ms = percentile(fromDot, 99).toFixed(2)
  r.idle_max_ms = (fromDot.at(-1) ?? NaN).toFixed(2)
  r.idle_after250_p99_ms = percentile(from250, 99).toFixed(2)
  r.idle_before250 = early
  console.log(
    `end of DATA -> IDLE EXISTS over ${fromDot.length}: p50 ${r.idle_p50_ms} ms, ` +
      `p99 ${r.idle_p99_ms} ms, max ${r.idle_max_ms} ms`,
  )
  console.log(
    `SMTP 250 -> IDLE EXISTS: p99 ${r.idle_after250_p99_ms} ms ` +
      `(${early} of ${fromDot.length} EXISTS arrived before the 250)`,
  )
}

type Result = Record<string, string | number>

async function main(): Promise<void> {
  const idleUsers = Array.from({ length: NUSERS }, (_, i) => `u${i + 1}@bench.test`)
  const users = [MAIN, WATCH, ...idleUsers]
  console.log(`starting postern with ${users.length} users...`)
  const srv = await startPosternProcess({
    domain: 'bench.test',
    hostname: 'mx.bench.test',
    imap: true,
    imapPlaintextNetworks: LOOPBACK_NETWORKS,
    users: users.map((address) => ({ address, password: PASS })),
    env: {
      POSTERN_LOG_LEVEL: 'warn',
      POSTERN_SMTP_MAX_CONNECTIONS_PER_IP: String(Math.max(50, SMTP_SESSIONS * 2)),
      POSTERN_IMAP_MAX_CONNECTIONS_PER_IP: String(CONNS + 100),
      POSTERN_IMAP_MAX_CONNECTIONS: String(CONNS + 100),
    },
  })
  const r: Result = {}
  try {
    const s: Server = { pid: srv.pid, imapPort: srv.imapPort, smtpPort: srv.smtpPort }
    await memoryPhase(s, idleUsers, r)
    await fetchSearchPhase(s, r)
    await idlePhase(s, r)
    console.log(
      'RESULT ' +
        Object.entries(r)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
    )
  } finally {
    await srv.cleanup()
  }
}

await main()
