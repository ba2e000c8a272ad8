// A fast scan of an RFC 5322 message's header block (RFC 5322 2.2, 3.6): where the header
// ends and the few facts the SMTP pipeline needs before full parsing exists (loop detection
// by counting Received fields, RFC 5321 6.3; presence of Message-ID and Date).

export interface HeaderScan {
  /** Offset of the first body byte (after the empty line), or raw.length if there is none. */
  headerEnd: number
  receivedCount: number
  messageId: string | undefined
  hasDate: boolean
}

const CRLFCRLF = Buffer.from('\r\n\r\n')

export function scanHeaders(raw: Buffer): HeaderScan {
  let headerEnd: number
  if (raw.length >= 2 && raw[0] === 0x0d && raw[1] === 0x0a) headerEnd = 2
  else {
    const end = raw.indexOf(CRLFCRLF)
    headerEnd = end < 0 ? raw.length : end + 4
  }
  const header = raw.subarray(0, headerEnd).toString('latin1')
  let receivedCount = 0
  let messageId: string | undefined
  let hasDate = false
  // Field names start a line; continuation lines start with WSP (RFC 5322 2.2.3).
  const fieldStart = /(?:^|\r?\n)([!-9;-~]+)[ \t]*:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/g
  for (const m of header.matchAll(fieldStart)) {
    const name = (m[1] ?? '').toLowerCase()
    if (name === 'received') receivedCount++
    else if (name === 'date') hasDate = true
    else if (name === 'message-id' && messageId === undefined) {
      messageId = (m[2] ?? '').replace(/\s+/g, ' ').trim()
    }
  }
  return { headerEnd, receivedCount, messageId, hasDate }
}
