// The daily sender: looks the DMARC record up, verifies external destinations (RFC 7489 7.1),
// honours size limits, queues the report mail once per domain and day.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { staticResolver } from '../dns/resolver.ts'
import { openStore } from '../store/open-store.ts'
import type { Store } from '../store/types.ts'
import type { DmarcEvaluation } from '../store/types-email-auth.ts'
import { ReportSender, previousUtcDay } from './report-sender.ts'
import { extractReportXml } from './report-attachment.ts'
import { parseAggregateReport } from './report-parser.ts'
import { checkExternalDestination, parseRua } from './rua.ts'
import { nextRunAt, ReportScheduler } from './report-scheduler.ts'
import { verifyWithMailauth, writeDkimKeysInTempDir } from '../../test/harness/dkim-check.ts'
import { dkimKeyFiles } from '../app/init.ts'
import { DkimKeyStore } from '../dkim-sign/dkim-keys.ts'
import { DkimSigner } from '../dkim-sign/dkim-signer.ts'
import { GeneratedMailSigner } from '../dkim-sign/generated-mail-signer.ts'

const DAY = Date.UTC(2026, 10, 27)

function evaluation(policyDomain: string, at: number): DmarcEvaluation {
  return {
    evaluatedAt: at,
    policyDomain,
    sourceIp: '192.0.2.1',
    headerFrom: policyDomain,
    envelopeFrom: policyDomain,
    envelopeTo: 'postern.test',
    spf: { domain: policyDomain, scope: 'mfrom', result: 'pass', aligned: true },
    dkim: [],
    dmarcResult: 'pass',
    policy: 'none',
    disposition: 'none',
    reasons: [],
  }
}

async function setUp(t: {
  after: (fn: () => Promise<void>) => void
}): Promise<{ store: Store; dbPath: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'postern-dmarc-'))
  const dbPath = path.join(dir, 'db.sqlite')
  const store = openStore({ path: dbPath })
  t.after(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await store.domains.add('postern.test')
  return { store, dbPath }
}

function queuedTo(dbPath: string): { mailFrom: string; address: string; data: Buffer }[] {
  const db = new Database(dbPath, { readonly: true })
  try {
    return db
      .prepare<[], { mailFrom: string; address: string; data: Buffer }>(
        `SELECT q.mail_from AS mailFrom, r.address, b.data FROM queue_recipients r
         JOIN queue_messages q ON q.id = r.queue_id JOIN message_blobs b ON b.id = q.blob_id
         ORDER BY r.id`,
      )
      .all()
  } finally {
    db.close()
  }
}

const resolver = staticResolver({
  // Same organisation: no authorization needed.
  '_dmarc.same.example': { TXT: [['v=DMARC1; p=none; rua=mailto:dmarc@same.example']] },
  // External rua, authorized by the destination.
  '_dmarc.ext-ok.example': { TXT: [['v=DMARC1; p=reject; rua=mailto:r@reports.example']] },
  'ext-ok.example._report._dmarc.reports.example': { TXT: [['v=DMARC1']] },
  // External rua without the authorization record: refused.
  '_dmarc.ext-bad.example': { TXT: [['v=DMARC1; p=reject; rua=mailto:r@collector.example']] },
  // A size limit no report fits.
  '_dmarc.tiny.example': { TXT: [['v=DMARC1; p=none; rua=mailto:dmarc@tiny.example!1k']] },
})

void test('reports go to same-organisation and authorized destinations, once per day', async (t) => {
  const { store, dbPath } = await setUp(t)
  for (const d of [
    'same.example',
    'ext-ok.example',
    'ext-bad.example',
    'tiny.example',
    'gone.example',
  ]) {
    await store.emailAuth.recordEvaluation(evaluation(d, DAY + 1000))
  }
  await store.emailAuth.recordEvaluation(evaluation('same.example', DAY - 1)) // the day before
  const sender = new ReportSender({
    store,
    resolver,
    clock: () => DAY + 86_400_000 + 3_600_000,
    hostname: 'mx.postern.test',
    orgName: '',
    fromAddress: '',
  })
  const outcomes = await sender.sendDay(previousUtcDay(DAY + 86_400_000 + 3_600_000))
  const byDomain = Object.fromEntries(outcomes.map((o) => [o.domain, o]))
  assert.equal(byDomain['same.example']?.kind, 'sent')
  assert.equal(byDomain['ext-ok.example']?.kind, 'sent')
  assert.deepEqual(byDomain['ext-bad.example'], {
    domain: 'ext-bad.example',
    kind: 'skipped',
    reason: 'no usable rua= mailto: destination',
  })
  assert.equal(byDomain['tiny.example']?.kind, 'skipped')
  assert.match(JSON.stringify(byDomain['tiny.example']), /over every size limit/)
  assert.deepEqual(byDomain['gone.example'], {
    domain: 'gone.example',
    kind: 'skipped',
    reason: 'no DMARC record now',
  })
  const queued = queuedTo(dbPath)
  assert.deepEqual(queued.map((q) => q.address).sort(), ['dmarc@same.example', 'r@reports.example'])
  assert.equal(queued[0]?.mailFrom, 'dmarc-reports@postern.test')
  const [firstQueued] = queued
  assert.ok(firstQueued)
  const [xml] = extractReportXml(firstQueued.data)
  assert.ok(xml)
  const report = parseAggregateReport(xml)
  assert.equal(
    report.records.reduce((n, r) => n + r.count, 0),
    1,
  ) // the day before is not in
  assert.equal(report.begin, DAY / 1000)
  // A second run (the CLI after the scheduler) sends nothing again.
  const again = await sender.sendDay(DAY)
  assert.equal(again.find((o) => o.domain === 'same.example')?.kind, 'already-sent')
  assert.equal(queuedTo(dbPath).length, 2)
})

void test('rua parsing and the external-destination check', async () => {
  assert.deepEqual(parseRua('mailto:a@b.example!10m'), {
    address: 'a@b.example',
    domain: 'b.example',
    maxBytes: 10 * 1024 * 1024,
  })
  assert.deepEqual(parseRua('mailto:dmarc%2Breports@b.example'), {
    address: 'dmarc+reports@b.example',
    domain: 'b.example',
  })
  assert.equal(parseRua('https://b.example/report'), undefined)
  assert.equal(parseRua('mailto:nobody'), undefined)
  assert.equal(
    await checkExternalDestination({
      policyDomain: 'mail.same.example',
      ruaDomain: 'same.example',
      resolver,
    }),
    'same-organization',
  )
  assert.equal(
    await checkExternalDestination({
      policyDomain: 'ext-ok.example',
      ruaDomain: 'reports.example',
      resolver,
    }),
    'authorized',
  )
  assert.equal(
    await checkExternalDestination({
      policyDomain: 'ext-bad.example',
      ruaDomain: 'collector.example',
      resolver,
    }),
    'not-authorized',
  )
})

void test('scheduler: next run time, and a run sends yesterday and prunes', async () => {
  assert.equal(nextRunAt(DAY + 30 * 60_000, 1), DAY + 3_600_000)
  assert.equal(nextRunAt(DAY + 2 * 3_600_000, 1), DAY + 86_400_000 + 3_600_000)
  const calls: string[] = []
  const scheduler = new ReportScheduler({
    sender: {
      sendDay: (day) => {
        calls.push(`send ${new Date(day).toISOString().slice(0, 10)}`)
        return Promise.resolve([])
      },
    },
    prune: (before) => {
      calls.push(`prune ${new Date(before).toISOString().slice(0, 10)}`)
      return Promise.resolve(0)
    },
    clock: () => DAY + 3_600_000,
    hourUtc: 1,
    retentionDays: 14,
  })
  await scheduler.runOnce()
  assert.deepEqual(calls, ['send 2026-11-26', 'prune 2026-11-13'])
  await scheduler.stop()
})

void test('report mail is DKIM-signed for its From domain; an unknown From domain stays unsigned', async (t) => {
  const { store, dbPath } = await setUp(t)
  const keys = writeDkimKeysInTempDir(['postern.test'])
  t.after(() => {
    keys.remove()
  })
  const signer = new GeneratedMailSigner({
    signer: new DkimSigner({
      keys: new DkimKeyStore({
        keyFiles: (domain) => dkimKeyFiles({ dataDir: keys.dataDir, domain, selector: 'postern' }),
        clock: () => DAY,
      }),
    }),
    isLocalDomain: async (d) => (await store.domains.get(d)) !== undefined,
    clock: () => DAY,
  })
  const reports = staticResolver({
    '_dmarc.one.example': { TXT: [['v=DMARC1; p=reject; rua=mailto:dmarc@one.example']] },
    '_dmarc.two.example': { TXT: [['v=DMARC1; p=reject; rua=mailto:dmarc@two.example']] },
  })
  const sendFor = async (policyDomain: string, fromAddress: string): Promise<Buffer> => {
    await store.emailAuth.recordEvaluation(evaluation(policyDomain, DAY + 1000))
    const sender = new ReportSender({
      store,
      resolver: reports,
      clock: () => DAY + 86_400_000 + 3_600_000,
      hostname: 'mx.postern.test',
      orgName: '',
      fromAddress,
      signer,
    })
    const outcomes = await sender.sendDay(DAY)
    assert.equal(outcomes.find((o) => o.domain === policyDomain)?.kind, 'sent')
    const queued = queuedTo(dbPath).find((q) => q.address === `dmarc@${policyDomain}`)
    assert.ok(queued)
    return queued.data
  }
  // The default From (dmarc-reports@<first local domain>) is signed with that domain's keys.
  const signed = await sendFor('one.example', '')
  assert.match(signed.toString(), /^DKIM-Signature:[^]*d=postern\.test;/)
  assert.deepEqual(await verifyWithMailauth(signed, keys.records), [
    ['rsa-sha256', 'pass'],
    ['ed25519-sha256', 'pass'],
  ])
  assert.ok(extractReportXml(signed)[0], 'the signed report still carries its XML')
  const unsigned = await sendFor('two.example', 'DMARC <reports@unknown.example>')
  assert.doesNotMatch(unsigned.toString(), /DKIM-Signature/i)
  const envelope = queuedTo(dbPath).find((q) => q.address === 'dmarc@two.example')
  assert.equal(envelope?.mailFrom, 'reports@unknown.example')
})
