// Sample messages for the spam filter's tests and benchmark: a plain personal message, a
// newsletter with List-Unsubscribe, a receipt with one PDF, and messages carrying each spam
// trait. Built with a small MIME writer; every message is CRLF, with Date and Message-ID
// unless asked otherwise.
import { GTUBE } from './rules/gtube.ts'

export interface SampleOptions {
  from?: string
  to?: string
  subject?: string
  /** Extra header lines ("Name: value"). */
  headers?: string[]
  text?: string
  html?: string
  attachments?: { filename: string; contentType: string; data: Buffer }[]
  noDate?: boolean
  noMessageId?: boolean
}

let counter = 0

/** Base64 in 76-character lines (RFC 2045 6.8). */
function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n')
}

export function buildMessage(o: SampleOptions): Buffer {
  const head: string[] = [
    `From: ${o.from ?? 'Alice Example <alice@example.org>'}`,
    `To: ${o.to ?? 'bob@example.net'}`,
    `Subject: ${o.subject ?? 'Lunch on Thursday'}`,
  ]
  if (o.noDate !== true) head.push('Date: Fri, 27 Nov 2026 10:00:00 +0000')
  if (o.noMessageId !== true) head.push(`Message-ID: <sample-${++counter}@example.org>`)
  head.push('MIME-Version: 1.0', ...(o.headers ?? []))
  const leaves: string[] = []
  const textPart = (type: string, body: string): string =>
    `Content-Type: text/${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.from(body, 'utf8'))}`
  let body: string
  if (o.text !== undefined && o.html !== undefined) {
    body = multipart('alternative', [textPart('plain', o.text), textPart('html', o.html)])
  } else if (o.html !== undefined) body = textPart('html', o.html)
  else body = textPart('plain', o.text ?? 'Hello.\r\n')
  const attachments = o.attachments ?? []
  if (attachments.length === 0) return Buffer.from(`${head.join('\r\n')}\r\n${body}\r\n`)
  leaves.push(body)
  for (const a of attachments) {
    leaves.push(
      `Content-Type: ${a.contentType}; name="${a.filename}"\r\n` +
        `Content-Disposition: attachment; filename="${a.filename}"\r\n` +
        `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(a.data)}`,
    )
  }
  return Buffer.from(`${head.join('\r\n')}\r\n${multipart('mixed', leaves)}\r\n`)
}

function multipart(subtype: string, parts: string[]): string {
  const boundary = `b-${subtype}-${++counter}`
  return (
    `Content-Type: multipart/${subtype}; boundary="${boundary}"\r\n\r\n` +
    parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') +
    `--${boundary}--`
  )
}

const PARAGRAPH =
  'We talked about the plan for the garden next spring. The roses by the fence need cutting ' +
  'back, and I would like to move the herbs closer to the kitchen door. Let me know which ' +
  'weekend suits you and I will bring the tools and some coffee.'

export function personalMessage(): Buffer {
  return buildMessage({
    subject: 'Garden plans for the spring',
    text: `Hi Bob,\r\n\r\n${PARAGRAPH}\r\n\r\nSee you soon,\r\nAlice\r\n`,
  })
}

export function newsletter(): Buffer {
  const items = Array.from(
    { length: 6 },
    (_, i) =>
      `<h2>Story ${i + 1}</h2><p>${PARAGRAPH}</p><p><a href="https://news.example.org/story/${i + 1}">Read the full story</a></p>`,
  ).join('\n')
  const html = `<html><body><h1>The Weekly Example</h1>${items}<p>You are receiving this because you subscribed. <a href="https://news.example.org/unsubscribe?u=42">Unsubscribe</a></p></body></html>`
  return buildMessage({
    from: 'The Weekly Example <newsletter@news.example.org>',
    subject: 'The Weekly Example: six stories this week',
    headers: [
      'List-Unsubscribe: <https://news.example.org/unsubscribe?u=42>, <mailto:unsub@news.example.org>',
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      'List-Id: Weekly Example <weekly.news.example.org>',
    ],
    text: `The Weekly Example\r\n\r\n${PARAGRAPH}\r\n\r\nRead more: https://news.example.org/story/1\r\nUnsubscribe: https://news.example.org/unsubscribe?u=42\r\n`,
    html,
  })
}

/** A minimal PDF file's bytes. */
export function pdfBytes(size = 12_000): Buffer {
  const headerBytes = Buffer.from(
    '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n',
    'latin1',
  )
  const filler = Buffer.alloc(Math.max(0, size - headerBytes.length - 6), 0x20)
  return Buffer.concat([headerBytes, filler, Buffer.from('\n%%EOF')])
}

export function receiptWithPdf(): Buffer {
  return buildMessage({
    from: 'Example Shop <orders@shop.example.com>',
    subject: 'Your receipt for order 10442',
    text: 'Thank you for your order 10442.\r\n\r\nTotal: 42.50 EUR, paid by card.\r\nYour receipt is attached as a PDF.\r\n\r\nExample Shop\r\n',
    attachments: [
      { filename: 'receipt-10442.pdf', contentType: 'application/pdf', data: pdfBytes() },
    ],
  })
}

export function gtubeMessage(): Buffer {
  return buildMessage({
    subject: 'Test spam mail (GTUBE)',
    text: `This is the GTUBE\r\n\r\n${GTUBE}\r\n`,
  })
}

/** Strong spam traits: prize and pharma wording, hidden text, a lying link, caps subject. */
export function strongSpam(): Buffer {
  return buildMessage({
    from: '"PayPal Support" <service@pay-secure-login.test>',
    subject: 'CONGRATULATIONS!!! YOU HAVE WON $1,000,000',
    html:
      '<html><body><p>Dear winner, you have won our lottery! Claim your prize now, only today!</p>' +
      '<p>Cheap v1agra and c1alis from our online pharmacy, no prescription.</p>' +
      '<p><a href="http://192.0.2.7/claim">https://www.paypal.com/claim</a></p>' +
      '<div style="display:none">ordinary words to fool the filters with plenty of innocent text</div>' +
      '<p>BUY NOW!!! ACT NOW!!!</p></body></html>',
  })
}

/** Minimal zip archive (stored entries) with the given names. */
export function zipBytes(names: readonly string[], opts: { encrypted?: boolean } = {}): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const name of names) {
    const nameBuf = Buffer.from(name, 'utf8')
    const content = Buffer.from(`content of ${name}`)
    const flags = opts.encrypted === true ? 1 : 0
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(flags, 6)
    local.writeUInt32LE(content.length, 18)
    local.writeUInt32LE(content.length, 22)
    local.writeUInt16LE(nameBuf.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(flags, 8)
    central.writeUInt32LE(content.length, 20)
    central.writeUInt32LE(content.length, 24)
    central.writeUInt16LE(nameBuf.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, nameBuf, content)
    centrals.push(central, nameBuf)
    offset += 30 + nameBuf.length + content.length
  }
  const cd = Buffer.concat(centrals)
  const eocd = Buffer.alloc(22)
  eocd.writeUInt32LE(0x06054b50, 0)
  eocd.writeUInt16LE(names.length, 8)
  eocd.writeUInt16LE(names.length, 10)
  eocd.writeUInt32LE(cd.length, 12)
  eocd.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, eocd])
}
