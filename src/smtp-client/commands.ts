// Command lines the sending side writes (RFC 5321 4.1.1), with the ESMTP parameters of the
// extensions it uses: SIZE (RFC 1870 6), BODY=8BITMIME (RFC 6152 3), SMTPUTF8 (RFC 6531 3.4),
// RET/ENVID on MAIL and NOTIFY/ORCPT on RCPT (RFC 3461 4), values in xtext (RFC 3461 4); and
// the DATA body with dot-stuffing (RFC 5321 4.5.2) and the end-of-data line.

export interface MailFromOptions {
  /** '' for the null reverse-path (RFC 5321 4.5.5). */
  from: string
  size?: number
  eightBitMime?: boolean
  smtputf8?: boolean
  ret?: 'FULL' | 'HDRS'
  envid?: string
}

export interface RcptToOptions {
  to: string
  notify?: readonly ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[]
  /** "addr-type;address" (the address not encoded), or a bare address (taken as rfc822). */
  orcpt?: string
}

export class CommandArgumentError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CommandArgumentError'
  }
}

/** Refuses CR, LF and NUL in anything put on a command line (no command injection). */
function checkLineSafe(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) throw new CommandArgumentError(`${what} contains a line break`)
  return value
}

export function ehloCommand(hostname: string): string {
  return `EHLO ${checkLineSafe(hostname, 'EHLO name')}\r\n`
}

export function heloCommand(hostname: string): string {
  return `HELO ${checkLineSafe(hostname, 'HELO name')}\r\n`
}

export function mailFromCommand(opts: MailFromOptions): string {
  let line = `MAIL FROM:<${checkLineSafe(opts.from, 'sender')}>`
  if (opts.size !== undefined) line += ` SIZE=${String(opts.size)}` // RFC 1870 6
  if (opts.eightBitMime === true) line += ' BODY=8BITMIME' // RFC 6152 3
  if (opts.smtputf8 === true) line += ' SMTPUTF8' // RFC 6531 3.4
  if (opts.ret !== undefined) line += ` RET=${opts.ret}` // RFC 3461 4.3
  if (opts.envid !== undefined) line += ` ENVID=${encodeXtext(opts.envid)}` // RFC 3461 4.4
  return `${line}\r\n`
}

export function rcptToCommand(opts: RcptToOptions): string {
  let line = `RCPT TO:<${checkLineSafe(opts.to, 'recipient')}>`
  // RFC 3461 4.1: NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY.
  if (opts.notify !== undefined && opts.notify.length > 0)
    line += ` NOTIFY=${opts.notify.join(',')}`
  if (opts.orcpt !== undefined && opts.orcpt !== '') {
    // RFC 3461 4.2: ORCPT=addr-type ";" xtext.
    const semi = opts.orcpt.indexOf(';')
    const type = semi > 0 ? opts.orcpt.slice(0, semi) : 'rfc822'
    const address = semi > 0 ? opts.orcpt.slice(semi + 1) : opts.orcpt
    if (/^[A-Za-z0-9-]+$/.test(type)) line += ` ORCPT=${type};${encodeXtext(address)}`
  }
  return `${line}\r\n`
}

export const DATA_COMMAND = 'DATA\r\n'
export const RSET_COMMAND = 'RSET\r\n'
export const QUIT_COMMAND = 'QUIT\r\n'
export const STARTTLS_COMMAND = 'STARTTLS\r\n'
export const NOOP_COMMAND = 'NOOP\r\n'

/**
 * RFC 3461 4: xtext: "!" to "~" except "+" and "=" as themselves, every other octet (UTF-8
 * bytes included) as "+" and two upper-case hex digits.
 */
export function encodeXtext(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    out +=
      byte >= 0x21 && byte <= 0x7e && byte !== 0x2b && byte !== 0x3d
        ? String.fromCharCode(byte)
        : `+${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

const CRLF_DOT = Buffer.from('\r\n.')
const END_OF_DATA = Buffer.from('.\r\n')
const CRLF = Buffer.from('\r\n')

/**
 * The DATA body on the wire: every line starting with "." gets one more (RFC 5321 4.5.2), a
 * missing final CRLF is added, then ".\r\n" (RFC 5321 4.1.1.4). Bare LF is left as stored (the
 * store keeps CRLF line ends).
 */
export function dataBody(message: Buffer): Buffer {
  const parts: Buffer[] = []
  let start = 0
  if (message[0] === 0x2e) parts.push(Buffer.from('.'))
  for (;;) {
    const at = message.indexOf(CRLF_DOT, start)
    if (at < 0) break
    parts.push(message.subarray(start, at + 3), Buffer.from('.'))
    start = at + 3
  }
  parts.push(message.subarray(start))
  const endsWithCrlf = message.length >= 2 && message.subarray(-2).equals(CRLF)
  if (message.length > 0 && !endsWithCrlf) parts.push(CRLF)
  parts.push(END_OF_DATA)
  return Buffer.concat(parts)
}
