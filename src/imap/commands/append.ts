// APPEND (RFC 9051 6.3.12) with BINARY literal8 (RFC 3516 4.3) and UTF8 (RFC 6855 4):
//   append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP append-data
//   append-data = literal / literal8 / "UTF8" SP "(" literal8 ")"
// The message octets arrive as a literal the reader has already read.

import type { ArgCursor } from '../arg-cursor.ts'

export interface AppendArgs {
  mailbox: string
  /** Flags to set, system flags in canonical case. */
  flags: string[]
  /** INTERNALDATE to set; absent means "now" (RFC 9051 6.3.12). */
  internalDate?: Date
  message: Buffer
  /** Sent as literal8 (RFC 3516): may contain NUL; the server must accept binary content. */
  isBinary: boolean
  /** Sent as UTF8 (literal8) (RFC 6855 4): a message with UTF-8 headers. */
  isUtf8: boolean
}

export function parse(c: ArgCursor): AppendArgs {
  c.sp()
  const mailbox = c.mailbox()
  c.sp()
  let flags: string[] = []
  if (c.peek() === '(') {
    flags = c.flagList()
    c.sp()
  }
  let internalDate: Date | undefined
  if (c.peek() === '"') {
    internalDate = c.dateTime()
    c.sp()
  }
  let isUtf8 = false
  let literal: { data: Buffer; isBinary: boolean }
  if (c.take('UTF8')) {
    // RFC 6855 4: "UTF8" SP "(" literal8 ")"
    c.sp()
    c.expect('(')
    literal = c.literal()
    if (!literal.isBinary) throw c.bad('UTF8 needs a literal8 (~{n})')
    c.expect(')')
    isUtf8 = true
  } else {
    literal = c.literal()
  }
  c.expectEnd()
  const args: AppendArgs = {
    mailbox,
    flags: [...new Set(flags)],
    message: literal.data,
    isBinary: literal.isBinary && !isUtf8,
    isUtf8,
  }
  if (internalDate !== undefined) args.internalDate = internalDate
  return args
}
