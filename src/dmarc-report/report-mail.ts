// The message that carries one DMARC aggregate report (RFC 7489 7.2.1.1): a multipart/mixed
// message with a short text part and the gzip-compressed XML attached, named
// "receiver!policy-domain!begin!end.xml.gz", Subject "Report Domain: ... Submitter: ...
// Report-ID: <...>".
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { formatRfc5322Date } from '../smtp-server/pipeline/headers.ts'

export interface ReportMailInput {
  /** The report XML. */
  xml: string
  from: string
  to: readonly string[]
  /** The reporting organisation's host (the "receiver" of the file name). */
  receiver: string
  policyDomain: string
  reportId: string
  /** Epoch seconds. */
  begin: number
  end: number
  /** Epoch ms, for the Date field. */
  now: number
}

export interface ReportMail {
  raw: Buffer
  fileName: string
  gzipBytes: number
}

/** RFC 7489 7.2.1.1: filename = receiver "!" policy-domain "!" begin "!" end "." ext. */
export function reportFileName(opts: {
  receiver: string
  policyDomain: string
  begin: number
  end: number
}): string {
  return `${opts.receiver}!${opts.policyDomain}!${opts.begin}!${opts.end}.xml.gz`
}

export function buildReportMail(input: ReportMailInput): ReportMail {
  const gz = gzipSync(Buffer.from(input.xml, 'utf8'))
  const fileName = reportFileName(input)
  const boundary = `=_postern_${randomBytes(12).toString('hex')}`
  const messageId = `<${input.reportId}.${randomBytes(6).toString('hex')}@${input.receiver}>`
  const lines = [
    `From: ${input.from}`,
    `To: ${input.to.join(', ')}`,
    `Date: ${formatRfc5322Date(new Date(input.now))}`,
    // RFC 7489 7.2.1.1: the Subject names the domain, the submitter and the report id.
    `Subject: Report Domain: ${input.policyDomain} Submitter: ${input.receiver} Report-ID: <${input.reportId}>`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    `This is a DMARC aggregate report for ${input.policyDomain} from ${input.receiver},`,
    `covering ${new Date(input.begin * 1000).toISOString()} to ${new Date(input.end * 1000).toISOString()}.`,
    '',
    `--${boundary}`,
    `Content-Type: application/gzip; name="${fileName}"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${fileName}"`,
    '',
    ...base64Lines(gz),
    `--${boundary}--`,
    '',
  ]
  return { raw: Buffer.from(lines.join('\r\n'), 'utf8'), fileName, gzipBytes: gz.length }
}

/** RFC 2045 6.8: base64 in lines of at most 76 characters. */
function base64Lines(data: Buffer): string[] {
  const text = data.toString('base64')
  const out: string[] = []
  for (let i = 0; i < text.length; i += 76) out.push(text.slice(i, i + 76))
  return out
}
