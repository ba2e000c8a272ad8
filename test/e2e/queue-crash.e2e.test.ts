// Crash safety of the outbound queue: a spawned Postern relays (trusted network) 200 messages
// to five remote domains whose MX is a scripted SMTP sink that answers the final dot slowly;
// the server is SIGKILLed several times while the queue delivers, and restarted on the same
// data directory. In the end every acknowledged recipient reached the sink at least once,
// nothing is still waiting, and a recipient reached twice is always one whose attempt was
// interrupted by a kill (its history has an 'abandoned' step): at-least-once, duplicates only
// where the remote's 250 was lost.
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { test } from 'node:test'
import { startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { startDnsServer, type ZoneRecord } from '../harness/dns-server.ts'
import { startScriptedSmtpServer } from '../harness/scripted-smtp-server.ts'
import { SmtpClient, makeMessage } from '../harness/smtp-client.ts'

const MESSAGES = 200
const DOMAINS = Array.from({ length: 5 }, (_, i) => `d${String(i)}.test`)
const KILLS = 4

/** Sends every message over the mx listener (relay from a trusted network), on 4
 * connections at once; returns the recipients acknowledged with 250. */
async function inject(srv: PosternProcess): Promise<Set<string>> {
  const acked = new Set<string>()
  const lanes = 4
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const c = await SmtpClient.connect(srv.smtpPort)
      await c.transact(250, 'EHLO relay.test')
      for (let i = lane; i < MESSAGES; i += lanes) {
        const to = `u${String(i)}@${DOMAINS[i % DOMAINS.length] ?? ''}`
        const message = makeMessage({ id: `crash-${String(i)}`, to })
        const r = await c.sendMail('sender@relay.test', [to], message)
        if (r.code === 250) acked.add(to)
      }
      await c.quit()
    }),
  )
  return acked
}

interface Row {
  address: string
  state: string
  abandoned: number
}

function queueRows(dataDir: string): Row[] {
  const db = new DatabaseSync(join(dataDir, 'postern.db'), { readOnly: true })
  try {
    return db
      .prepare(
        `SELECT r.address, r.state,
           (SELECT count(*) FROM queue_history h
            WHERE h.recipient_id = r.id AND h.kind = 'abandoned') AS abandoned
         FROM queue_recipients r`,
      )
      .all() as unknown as Row[]
  } finally {
    db.close()
  }
}

test(
  'SIGKILL during queue runs: every recipient delivered, duplicates only where a 250 was lost',
  { timeout: 120_000 },
  async (t) => {
    const net = `127.${String(randomInt(100, 250))}.${String(randomInt(1, 250))}`
    const sink = await startScriptedSmtpServer({
      host: `${net}.2`,
      // A slow final reply: kills land while the remote has the message but before the 250.
      on: { DOT: () => ({ delayMs: randomInt(10, 50), reply: '250 2.0.0 accepted' }) },
    })
    t.after(() => sink.close())
    const records: Record<string, ZoneRecord[]> = {
      'mx.sink.test': [{ type: 'A', data: `${net}.2` }],
    }
    for (const d of DOMAINS) {
      records[d] = [{ type: 'MX', data: { preference: 10, exchange: 'mx.sink.test' } }]
    }
    const dns = await startDnsServer({ records })
    t.after(() => dns.close())
    const srv = await startPosternProcess({
      domain: 'a.test',
      env: {
        POSTERN_SMTP_TRUSTED_NETWORKS: '127.0.0.0/8',
        POSTERN_DNS_SERVERS: dns.address,
        POSTERN_OUTBOUND_PORT: String(sink.port),
        POSTERN_OUTBOUND_MTA_STS: 'false',
        POSTERN_QUEUE_THROTTLE: 'false',
        POSTERN_QUEUE_MAX_CONCURRENT: '8',
        POSTERN_QUEUE_POLL_INTERVAL_MS: '200',
        POSTERN_QUEUE_RETRY_SCHEDULE_S: '1',
      },
    })
    t.after(() => srv.cleanup())
    const t0 = Date.now()
    const acked = await inject(srv)
    const t1 = Date.now()
    assert.equal(acked.size, MESSAGES)
    for (let k = 0; k < KILLS; k++) {
      const before = sink.messages.length
      // Kill once deliveries are flowing (or after a bounded wait).
      const deadline = Date.now() + 3000
      while (sink.messages.length < before + randomInt(5, 30) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10))
      }
      srv.kill('SIGKILL')
      await srv.restart()
    }
    const t2 = Date.now()
    const delivered = (): Set<string> => new Set(sink.messages.flatMap((m) => m.rcpts))
    await sink.waitFor(() => [...acked].every((a) => delivered().has(a)), 60_000)
    // The last outcomes are written just after the sink's 250: wait for nothing to wait.
    const deadline = Date.now() + 20_000
    let rows = queueRows(srv.dataDir)
    while (rows.some((r) => r.state !== 'delivered') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
      rows = queueRows(srv.dataDir)
    }
    assert.equal(rows.length, MESSAGES)
    assert.deepEqual(
      rows.filter((r) => r.state !== 'delivered'),
      [],
      'every queued recipient ends delivered',
    )
    const counts = new Map<string, number>()
    for (const m of sink.messages) for (const r of m.rcpts) counts.set(r, (counts.get(r) ?? 0) + 1)
    const abandoned = new Set(rows.filter((r) => r.abandoned > 0).map((r) => r.address))
    const duplicates = [...counts].filter(([, n]) => n > 1).map(([a]) => a)
    for (const a of duplicates) {
      assert.ok(abandoned.has(a), `${a} delivered twice without an interrupted attempt`)
    }
    t.diagnostic(
      `kills: ${String(KILLS)}, sink messages: ${String(sink.messages.length)}, ` +
        `duplicates: ${String(duplicates.length)}, interrupted attempts: ${String(abandoned.size)}; ` +
        `inject ${String(t1 - t0)} ms, kills ${String(t2 - t1)} ms, drain ${String(Date.now() - t2)} ms`,
    )
  },
)
