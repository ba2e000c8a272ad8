// Aggregate reports: a day of evaluations → report → XML valid against the RFC 7489 appendix C
// schema (xmllint) → parsed back by our own parser (round trip), also from gzip and zip.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { crc32, deflateRawSync, gzipSync } from 'node:zlib'
import type { DmarcEvaluation } from '../store/types-email-auth.ts'
import { buildAggregateReport } from './aggregate.ts'
import { aggregateReportXml } from './aggregate-xml.ts'
import { parseAggregateReport, ReportParseError } from './report-parser.ts'
import { extractReportXml } from './report-attachment.ts'
import { buildReportMail } from './report-mail.ts'
import { readZip, ZipError } from './zip-reader.ts'

const XSD = fileURLToPath(
  new URL('../../test/fixtures/dmarc/rfc7489-appendix-c.xsd', import.meta.url),
)
const DAY = Date.UTC(2026, 10, 27) // 2026-11-27T00:00Z

function evaluation(over: Partial<DmarcEvaluation> = {}): DmarcEvaluation {
  return {
    evaluatedAt: DAY + 3_600_000,
    policyDomain: 'example.com',
    sourceIp: '192.0.2.10',
    headerFrom: 'example.com',
    envelopeFrom: 'example.com',
    envelopeTo: 'postern.test',
    spf: { domain: 'example.com', scope: 'mfrom', result: 'pass', aligned: true },
    dkim: [{ domain: 'example.com', selector: 's1', result: 'pass', aligned: true }],
    dmarcResult: 'pass',
    policy: 'reject',
    disposition: 'none',
    reasons: [],
    ...over,
  }
}

/** A day of traffic: passes, spoofs (rejected, quarantined by sampling), IPv6, a helo-only. */
function dayOfTraffic(): DmarcEvaluation[] {
  const spoof = evaluation({
    sourceIp: '203.0.113.7',
    envelopeFrom: 'spoof.example',
    spf: { domain: 'spoof.example', scope: 'mfrom', result: 'softfail', aligned: false },
    dkim: [],
    dmarcResult: 'fail',
    disposition: 'reject',
  })
  return [
    evaluation(),
    evaluation({ evaluatedAt: DAY + 7_200_000 }),
    evaluation({ evaluatedAt: DAY + 9_000_000 }),
    spoof,
    spoof,
    { ...spoof, disposition: 'quarantine', reasons: [{ type: 'sampled_out', comment: 'pct=50' }] },
    evaluation({
      sourceIp: '2001:db8::25',
      dkim: [{ domain: 'mail.example.com', selector: 'ed', result: 'pass', aligned: true }],
    }),
    evaluation({
      sourceIp: '::ffff:198.51.100.4',
      envelopeFrom: 'relay.example.com',
      spf: { domain: 'relay.example.com', scope: 'helo', result: 'none', aligned: false },
      dkim: [{ domain: 'other.example', selector: 'x', result: 'fail', aligned: false }],
      dmarcResult: 'fail',
      disposition: 'none',
      reasons: [{ type: 'local_policy' }],
    }),
  ]
}

function report(): ReturnType<typeof buildAggregateReport> {
  return buildAggregateReport({
    evaluations: dayOfTraffic(),
    policy: {
      domain: 'example.com',
      adkim: 'r',
      aspf: 'r',
      p: 'reject',
      sp: 'reject',
      pct: 100,
      fo: '0',
    },
    orgName: 'mx.postern.test',
    email: 'dmarc-reports@postern.test',
    reportId: 'example.com.1795737600',
    begin: DAY / 1000,
    end: DAY / 1000 + 86_399,
  })
}

/**
 * The appendix C schema declares targetNamespace with unqualified local elements, so a valid
 * instance puts only the root element in that namespace. Reports are sent with a plain
 * <feedback> root (as receivers send and parsers expect); for validation the root is bound to
 * the schema's namespace, the rest of the document unchanged.
 */
function validate(xml: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'postern-xsd-'))
  try {
    const file = path.join(dir, 'report.xml')
    const rooted = xml
      .replace('<feedback>', '<d:feedback xmlns:d="http://dmarc.org/dmarc-xml/0.1">')
      .replace('</feedback>', '</d:feedback>')
    writeFileSync(file, rooted)
    try {
      const output = execFileSync('xmllint', ['--noout', '--schema', XSD, file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      return { ok: true, output }
    } catch (err) {
      const e = err as { stderr?: string }
      return { ok: false, output: e.stderr ?? String(err) }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

void test('a day of traffic aggregates into counted records', () => {
  const r = report()
  const pass = r.records.find((x) => x.sourceIp === '192.0.2.10')
  assert.equal(pass?.count, 3)
  const rejected = r.records.find((x) => x.sourceIp === '203.0.113.7' && x.disposition === 'reject')
  assert.equal(rejected?.count, 2)
  assert.deepEqual(r.records.find((x) => x.disposition === 'quarantine')?.reasons, [
    { type: 'sampled_out', comment: 'pct=50' },
  ])
  assert.ok(r.records.some((x) => x.sourceIp === '2001:0db8:0000:0000:0000:0000:0000:0025'))
  assert.ok(r.records.some((x) => x.sourceIp === '198.51.100.4'))
  assert.equal(
    r.records.reduce((n, x) => n + x.count, 0),
    8,
  )
})

void test('the XML validates against the RFC 7489 appendix C schema (xmllint)', () => {
  const xml = aggregateReportXml(report())
  const result = validate(xml)
  assert.ok(result.ok, result.output)
  // And the validator does reject a broken report (the check is real).
  const broken = validate(
    xml.replace('<disposition>reject</disposition>', '<disposition>drop</disposition>'),
  )
  assert.equal(broken.ok, false)
  const noSpf = validate(xml.replace(/<spf>\s*<domain>[\s\S]*?<\/spf>/g, ''))
  assert.equal(noSpf.ok, false)
})

void test('round trip: our parser reads back what we wrote', () => {
  const r = report()
  assert.deepEqual(parseAggregateReport(aggregateReportXml(r)), r)
})

function zipOf(name: string, data: Buffer, method: 0 | 8 = 8): Buffer {
  const body = method === 8 ? deflateRawSync(data) : data
  const nameBytes = Buffer.from(name)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt16LE(method, 8)
  local.writeUInt32LE(crc32(data), 14)
  local.writeUInt32LE(body.length, 18)
  local.writeUInt32LE(data.length, 22)
  local.writeUInt16LE(nameBytes.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt16LE(method, 10)
  central.writeUInt32LE(crc32(data), 16)
  central.writeUInt32LE(body.length, 20)
  central.writeUInt32LE(data.length, 24)
  central.writeUInt16LE(nameBytes.length, 28)
  central.writeUInt32LE(0, 42)
  const cdOffset = local.length + nameBytes.length + body.length
  const eocd = Buffer.alloc(22)
  eocd.writeUInt32LE(0x06054b50, 0)
  eocd.writeUInt16LE(1, 8)
  eocd.writeUInt16LE(1, 10)
  eocd.writeUInt32LE(central.length + nameBytes.length, 12)
  eocd.writeUInt32LE(cdOffset, 16)
  return Buffer.concat([local, nameBytes, body, central, nameBytes, eocd])
}

function mailWith(contentType: string, fileName: string, payload: Buffer): Buffer {
  return Buffer.from(
    'From: noreply-dmarc@google.example\r\nTo: postmaster@example.com\r\n' +
      'Subject: Report domain: example.com\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' +
      'Content-Type: text/plain\r\n\r\nreport attached\r\n--b1\r\n' +
      `Content-Type: ${contentType}; name="${fileName}"\r\n` +
      'Content-Transfer-Encoding: base64\r\n' +
      `Content-Disposition: attachment; filename="${fileName}"\r\n\r\n` +
      `${payload.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--b1--\r\n`,
  )
}

void test('gzip, zip (deflated and stored) and plain XML attachments all parse', () => {
  const r = report()
  const xml = Buffer.from(aggregateReportXml(r))
  const cases: [string, string, Buffer][] = [
    ['application/gzip', 'a!example.com!1!2.xml.gz', gzipSync(xml)],
    ['application/zip', 'a!example.com!1!2.zip', zipOf('a!example.com!1!2.xml', xml)],
    ['application/octet-stream', 'r.zip', zipOf('r.xml', xml, 0)],
    ['text/xml', 'r.xml', xml],
  ]
  for (const [type, name, payload] of cases) {
    const found = extractReportXml(mailWith(type, name, payload))
    assert.equal(found.length, 1, type)
    assert.deepEqual(parseAggregateReport(found[0] ?? Buffer.alloc(0)), r, type)
  }
  // The report mail Postern sends carries its report the same way.
  const mail = buildReportMail({
    xml: xml.toString(),
    from: 'dmarc-reports@postern.test',
    to: ['rua@example.com'],
    receiver: 'mx.postern.test',
    policyDomain: 'example.com',
    reportId: r.reportId,
    begin: r.begin,
    end: r.end,
    now: DAY + 86_400_000,
  })
  assert.equal(mail.fileName, `mx.postern.test!example.com!${r.begin}!${r.end}.xml.gz`)
  assert.match(
    mail.raw.toString(),
    /^Subject: Report Domain: example\.com Submitter: mx\.postern\.test Report-ID: <example\.com\.\d+>\r$/m,
  )
  assert.deepEqual(parseAggregateReport(extractReportXml(mail.raw)[0] ?? Buffer.alloc(0)), r)
})

void test('bounded: a zip bomb entry and bad archives are refused, DOCTYPE refused', () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 0x41)
  assert.throws(() => readZip(zipOf('big.xml', big), { maxEntryBytes: 1024 * 1024 }), ZipError)
  assert.throws(() => readZip(Buffer.from('not a zip at all, really not')), ZipError)
  const truncated = zipOf('r.xml', Buffer.from('<feedback/>')).subarray(0, 40)
  assert.throws(() => readZip(truncated), ZipError)
  assert.throws(
    () => parseAggregateReport('<!DOCTYPE x [<!ENTITY a "aaaa">]><feedback>&a;</feedback>'),
    ReportParseError,
  )
  assert.throws(
    () => parseAggregateReport('<feedback><version>1</version></feedback>'),
    ReportParseError,
  )
  assert.throws(() => parseAggregateReport('<<<'), ReportParseError)
})

void test('reports of other receivers: namespace, missing version/scope/selector are read', () => {
  const xml = `<?xml version="1.0"?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
 <report_metadata><org_name>google.com</org_name><email>noreply-dmarc-support@google.com</email>
  <report_id>1234567890</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>
 </report_metadata>
 <policy_published><domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>
 <record><row><source_ip>209.85.220.41</source_ip><count>2</count>
  <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
  <identifiers><header_from>example.com</header_from></identifiers>
  <auth_results><dkim><domain>example.com</domain><result>pass</result></dkim>
   <spf><domain>bounce.example.net</domain><result>softfail</result></spf></auth_results></record>
</feedback>`
  const r = parseAggregateReport(xml)
  assert.equal(r.orgName, 'google.com')
  assert.equal(r.records.length, 1)
  const [first] = r.records
  assert.ok(first)
  assert.deepEqual(first.authSpf, [
    { domain: 'bounce.example.net', scope: 'mfrom', result: 'softfail' },
  ])
  assert.equal(r.policy.fo, '0')
})
