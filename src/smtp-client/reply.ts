// SMTP replies as a client reads them (RFC 5321 4.2): "NNN-text" continuation lines and a last
// "NNN text" line, all with the same code; the enhanced status code (RFC 3463 2, sent per
// RFC 2034 3 on every line) is taken from the first line. ReplyReader is push-based: feed it
// socket bytes, it yields complete replies; a line longer than the limit or a line that is not
// a reply is a protocol error (the connection cannot be trusted after it).

export interface SmtpReply {
  code: number
  /** RFC 3463 enhanced status code of the first line ("5.1.1"), when the server sent one. */
  enhanced?: string
  /** Text of each line, without the code, separator and enhanced code. */
  lines: string[]
}

export class ReplySyntaxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReplySyntaxError'
  }
}

// RFC 3463 2: class "." subject "." detail; class 2, 4 or 5, subject and detail 1-3 digits.
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/
// RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39; then SP, "-" or the end of the line.
const REPLY_LINE = /^([2-5][0-5][0-9])([ -]|$)(.*)$/s

/** Limit on one reply line and on the lines of one reply (bounds memory). */
export const MAX_REPLY_LINE_BYTES = 4096
export const MAX_REPLY_LINES = 200

export class ReplyReader {
  #buffer: Buffer = Buffer.alloc(0)
  #lines: { code: number; text: string }[] = []

  /** Feeds bytes; returns the replies now complete (often none, sometimes several). */
  feed(chunk: Buffer | string): SmtpReply[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    this.#buffer = this.#buffer.length === 0 ? bytes : Buffer.concat([this.#buffer, bytes])
    const replies: SmtpReply[] = []
    for (;;) {
      const nl = this.#buffer.indexOf(0x0a)
      if (nl < 0) break
      const line = this.#buffer.subarray(0, nl).toString('utf8').replace(/\r$/, '')
      this.#buffer = this.#buffer.subarray(nl + 1)
      const reply = this.#line(line)
      if (reply) replies.push(reply)
    }
    if (this.#buffer.length > MAX_REPLY_LINE_BYTES) {
      throw new ReplySyntaxError('reply line too long')
    }
    return replies
  }

  /** True when part of a reply has been read (a reply is in progress). */
  get isPartial(): boolean {
    return this.#lines.length > 0 || this.#buffer.length > 0
  }

  #line(line: string): SmtpReply | undefined {
    const m = REPLY_LINE.exec(line)
    if (!m) throw new ReplySyntaxError(`not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`)
    const code = Number(m[1])
    const first = this.#lines[0]
    // RFC 5321 4.2.1: every line of a multi-line reply carries the same code.
    if (first !== undefined && first.code !== code) {
      throw new ReplySyntaxError(`reply code changed within a reply (${String(first.code)})`)
    }
    this.#lines.push({ code, text: m[3] ?? '' })
    if (this.#lines.length > MAX_REPLY_LINES) throw new ReplySyntaxError('reply too long')
    if (m[2] === '-') return undefined
    const lines = this.#lines.map((l) => l.text)
    this.#lines = []
    return buildReply(code, lines)
  }
}

/** Splits the enhanced status code off each line when the first line has one. */
export function buildReply(code: number, rawLines: string[]): SmtpReply {
  const firstMatch = ENHANCED.exec(rawLines[0] ?? '')
  // RFC 3463 2: the enhanced code's class must match the reply's class.
  if (!firstMatch || firstMatch[1] !== String(code).charAt(0)) return { code, lines: rawLines }
  const enhanced = `${firstMatch[1]}.${String(Number(firstMatch[2]))}.${String(Number(firstMatch[3]))}`
  const lines = rawLines.map((l) => {
    const m = ENHANCED.exec(l)
    return m ? l.slice(m[0].length) : l
  })
  return { code, enhanced, lines }
}

/** "550 5.1.1 no such user; second line" for logs and outcomes. */
export function replyText(reply: SmtpReply): string {
  return reply.lines.join('; ')
}

export function formatReplyForLog(reply: SmtpReply): string {
  const enhanced = reply.enhanced === undefined ? '' : ` ${reply.enhanced}`
  return `${String(reply.code)}${enhanced} ${replyText(reply)}`.trimEnd()
}

export function isPositive(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 400
}

export function isTransient(reply: SmtpReply): boolean {
  return reply.code >= 400 && reply.code < 500
}
