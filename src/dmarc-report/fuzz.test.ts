// Property tests of the bounded readers (STYLE.md: every parser gets one): whatever the bytes,
// the zip reader, the report parser, the attachment extractor and SRS reversal either answer or
// throw their own typed error, never anything else, and never hang.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { readZip, ZipError } from './zip-reader.ts'
import { parseAggregateReport, ReportParseError } from './report-parser.ts'
import { extractReportXml } from './report-attachment.ts'
import { Srs } from '../srs/srs.ts'

const typed = (fn: () => unknown, type: new (...args: never[]) => Error): void => {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof type, String(err))
  }
}

void test('readZip: any bytes, or a zip signature among them, gives entries or ZipError', () => {
  const eocd = Buffer.from([0x50, 0x4b, 0x05, 0x06])
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(400), (bytes, at) => {
      const buf = Buffer.from(bytes)
      const withSig = Buffer.concat([buf.subarray(0, at), eocd, buf.subarray(at)])
      typed(() => readZip(buf), ZipError)
      typed(() => readZip(withSig), ZipError)
    }),
    { numRuns: 300 },
  )
})

void test('parseAggregateReport: any text, or mangled report XML, gives a report or ReportParseError', () => {
  const pieces = [
    '<feedback>',
    '</feedback>',
    '<record>',
    '<row>',
    '<count>',
    '1',
    '</count>',
    '<source_ip>',
    '&amp;',
    '<![CDATA[x]]>',
    '<',
    '>',
    '"',
  ]
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 8 })), {
        maxLength: 40,
      }),
      (parts) => {
        typed(() => parseAggregateReport(parts.join('')), ReportParseError)
      },
    ),
    { numRuns: 300 },
  )
})

void test('extractReportXml never throws on any message', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (text) => {
      const raw = Buffer.from(
        `Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n${text}\r\n--b--\r\n`,
      )
      assert.ok(Array.isArray(extractReportXml(raw)))
    }),
    { numRuns: 300 },
  )
})

void test('SRS reverse: any local part is not-srs, invalid or ok, never a throw', () => {
  const srs = new Srs({ secret: Buffer.from('property test secret, long enough'), clock: Date.now })
  fc.assert(
    fc.property(
      fc.constantFrom('SRS0=', 'SRS1=', 'srs0+', 'x'),
      fc.string({ maxLength: 60 }),
      (prefix, rest) => {
        const result = srs.reverse(`${prefix}${rest}@example.test`)
        assert.ok(['ok', 'not-srs', 'invalid'].includes(result.kind))
      },
    ),
    { numRuns: 500 },
  )
})
