// DMARC aggregate reports in and out, end to end: a report mailed to our postmaster over SMTP
// (gzip attachment) is delivered and stored; `postern dmarc reports` lists it with pass/fail
// per source IP; `postern dmarc send-reports --date` queues our report for a domain whose
// record (served by a DNS server on loopback) asks for one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { loadConfig } from '../../src/config/load.ts'
import { openStore } from '../../src/store/open-store.ts'
import { aggregateReportXml } from '../../src/dmarc-report/aggregate-xml.ts'
import type { AggregateReport } from '../../src/dmarc-report/report-model.ts'
import { runPostern } from '../harness/postern-process.ts'
import { startDnsServer } from '../harness/dns-server.ts'
import { SmtpTranscript, startTestServer } from '../harness/smtp-transcript.ts'
import { dkimRecordsInDataDir, verifyWithMailauth } from '../harness/dkim-check.ts'
import { DatabaseSync } from 'node:sqlite'

const REPORT: AggregateReport = {
  orgName: 'receiver.example',
  email: 'noreply-dmarc@receiver.example',
  reportId: 'r-2026-11-27',
  begin: 1795737600,
  end: 1795823999,
  errors: [],
  policy: {
    domain: 'example.test',
    adkim: 'r',
    aspf: 'r',
    p: 'quarantine',
    sp: 'quarantine',
    pct: 100,
    fo: '0',
  },
  records: [
    {
      sourceIp: '192.0.2.25',
      count: 40,
      disposition: 'none',
      dkim: 'pass',
      spf: 'pass',
      reasons: [],
      headerFrom: 'example.test',
      envelopeFrom: 'example.test',
      authDkim: [{ domain: 'example.test', selector: 'postern-rsa', result: 'pass' }],
      authSpf: [{ domain: 'example.test', scope: 'mfrom', result: 'pass' }],
    },
    {
      sourceIp: '203.0.113.9',
      count: 3,
      disposition: 'quarantine',
      dkim: 'fail',
      spf: 'fail',
      reasons: [],
      headerFrom: 'example.test',
      envelopeFrom: 'spammer.example',
      authDkim: [],
      authSpf: [{ domain: 'spammer.example', scope: 'mfrom', result: 'fail' }],
    },
  ],
}

function reportMail(): string {
  const gz = gzipSync(aggregateReportXml(REPORT)).toString('base64').replace(/.{76}/g, '$&\r\n')
  return (
    'From: noreply-dmarc@receiver.example\r\nTo: postmaster@example.test\r\n' +
    'Subject: Report Domain: example.test Submitter: receiver.example Report-ID: <r-2026-11-27>\r\n' +
    'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="zz"\r\n\r\n' +
    '--zz\r\nContent-Type: text/plain\r\n\r\nA DMARC report.\r\n--zz\r\n' +
    'Content-Type: application/gzip; name="receiver.example!example.test!1795737600!1795823999.xml.gz"\r\n' +
    'Content-Transfer-Encoding: base64\r\n\r\n' +
    `${gz}\r\n--zz--\r\n`
  )
}

void test('a report mailed to our postmaster is delivered and stored', async (t) => {
  const server = await startTestServer({ accounts: ['postmaster@example.test'] })
  t.after(() => server.close())
  const s = await SmtpTranscript.open(server.port)
  await s.transact(250, 'EHLO receiver.example')
  await s.transact(250, 'MAIL FROM:<noreply-dmarc@receiver.example>')
  await s.transact(250, 'RCPT TO:<postmaster@example.test>')
  await s.transact(354, 'DATA')
  await s.transact(250, `${reportMail()}.`)
  await s.transact(221, 'QUIT')
  const [summary] = await server.store.emailAuth.listReceived()
  assert.ok(summary)
  assert.equal(summary.reportId, 'r-2026-11-27')
  assert.deepEqual(summary.sources, [
    { sourceIp: '192.0.2.25', count: 40, pass: 40, fail: 0 },
    { sourceIp: '203.0.113.9', count: 3, pass: 0, fail: 3 },
  ])
  const full = await server.store.emailAuth.getReceived(summary.id)
  assert.deepEqual(full?.records, REPORT.records)
})

void test('postern dmarc reports lists them; send-reports queues ours', async (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'postern-dmarc-cli-'))
  t.after(() => {
    rmSync(parent, { recursive: true, force: true })
  })
  const data = path.join(parent, 'data')
  assert.equal(
    (
      await runPostern([
        'init',
        '--data',
        data,
        '--domain',
        'example.test',
        '--hostname',
        'mx.example.test',
      ])
    ).code,
    0,
  )
  const empty = await runPostern(['dmarc', 'reports', '--data', data])
  assert.equal(empty.stdout, 'no DMARC reports received\n')
  const config = loadConfig({ dataDir: data, env: {} })
  const store = openStore({ path: config.store.path })
  await store.emailAuth.storeReceived(REPORT, Date.now())
  await store.emailAuth.recordEvaluation({
    evaluatedAt: Date.UTC(2026, 10, 27, 12),
    policyDomain: 'sender.example',
    sourceIp: '198.51.100.7',
    headerFrom: 'sender.example',
    envelopeFrom: 'sender.example',
    envelopeTo: 'example.test',
    spf: { domain: 'sender.example', scope: 'mfrom', result: 'fail', aligned: false },
    dkim: [],
    dmarcResult: 'fail',
    policy: 'reject',
    disposition: 'reject',
    reasons: [],
  })
  await store.close()
  const listed = await runPostern(['dmarc', 'reports', '--data', data])
  assert.equal(listed.code, 0, listed.stderr)
  assert.match(
    listed.stdout,
    /^example\.test {2}from receiver\.example <noreply-dmarc@receiver\.example> {2}2026-11-27T00:00Z\.\.2026-11-27T23:59Z {2}id r-2026-11-27$/m,
  )
  assert.match(listed.stdout, /^ {2}192\.0\.2\.25 +messages 40 {2}pass 40 {2}fail 0$/m)
  assert.match(listed.stdout, /^ {2}203\.0\.113\.9 +messages 3 {2}pass 0 {2}fail 3$/m)
  const dns = await startDnsServer({
    records: {
      '_dmarc.sender.example': [
        { type: 'TXT', data: 'v=DMARC1; p=reject; rua=mailto:agg@sender.example' },
      ],
    },
  })
  t.after(() => dns.close())
  const env = { POSTERN_DNS_SERVERS: dns.address }
  const sent = await runPostern(['dmarc', 'send-reports', '--date', '2026-11-27', '--data', data], {
    env,
  })
  assert.equal(sent.code, 0, sent.stderr)
  assert.match(
    sent.stdout,
    /^sender\.example: queued report sender\.example\.1795737600 \(1 records\) to agg@sender\.example$/m,
  )
  // The queued report is DKIM-signed with the keys init wrote for its From domain (RSA, Ed25519).
  const db = new DatabaseSync(config.store.path, { readOnly: true })
  const row = db
    .prepare('SELECT b.data FROM queue_messages q JOIN message_blobs b ON b.id = q.blob_id')
    .get() as { data: Uint8Array } | undefined
  db.close()
  assert.ok(row)
  const queued = Buffer.from(row.data)
  assert.match(queued.toString(), /^From: dmarc-reports@example\.test\r\n/m)
  assert.deepEqual(await verifyWithMailauth(queued, dkimRecordsInDataDir(data, 'example.test')), [
    ['rsa-sha256', 'pass'],
    ['ed25519-sha256', 'pass'],
  ])
  const again = await runPostern(
    ['dmarc', 'send-reports', '--date', '2026-11-27', '--data', data],
    { env },
  )
  assert.match(again.stdout, /^sender\.example: already sent for 2026-11-27$/m)
  const bad = await runPostern(['dmarc', 'send-reports', '--date', '2026-13-01', '--data', data])
  assert.equal(bad.code, 1)
})
