// SMTP command parser (RFC 5321 4.1.1, 4.1.2), pure: one command line (CRLF stripped) in, a
// typed SmtpCommand out, or a thrown SmtpReplyError. Covers the ESMTP parameters Postern
// advertises: SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), RET/ENVID and
// NOTIFY/ORCPT (RFC 3461 4), AUTH= (RFC 4954 5), and BDAT (RFC 3030), AUTH (RFC 4954 4),
// STARTTLS (RFC 3207 4).

import { readPath } from './address.ts'
import type { Path } from './address.ts'
import {
  C500SyntaxError,
  C501ParamSyntax,
  C555ParamsNotRecognized,
  Es552SyntaxError,
  Es554InvalidArguments,
  SmtpReplyError,
} from './codes.ts'

export interface MailParams {
  /** RFC 1870: declared message size in octets. */
  size?: number
  /** RFC 6152 / RFC 3030: body type. */
  body?: '7BIT' | '8BITMIME' | 'BINARYMIME'
  /** RFC 6531 3.4: SMTPUTF8 given. */
  smtputf8: boolean
  /** RFC 3461 4.3: RET. */
  ret?: 'FULL' | 'HDRS'
  /** RFC 3461 4.4: ENVID, xtext-decoded. */
  envid?: string
  /** RFC 4954 5: AUTH=, xtext-decoded: a mailbox or "<>". */
  auth?: string
}

/** RFC 3461 4.1: NOTIFY values; "NEVER" only ever appears alone. */
export type NotifyValue = 'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY'

export interface RcptParams {
  /** Upper-cased, no duplicates: ['NEVER'] or a non-empty subset of the other three. */
  notify?: NotifyValue[]
  /** RFC 3461 4.2: ORCPT=addr-type;xtext: the type as given, the value xtext-decoded. */
  orcpt?: { type: string; value: string }
}

export type SmtpCommand =
  | { kind: 'helo'; domain: string }
  | { kind: 'ehlo'; domain: string }
  | { kind: 'mail'; from: Path; params: MailParams }
  | { kind: 'rcpt'; to: Path; params: RcptParams }
  | { kind: 'data' }
  | { kind: 'bdat'; size: number; last: boolean }
  | { kind: 'rset' }
  | { kind: 'noop' }
  | { kind: 'quit' }
  | { kind: 'vrfy'; arg: string }
  | { kind: 'expn'; arg: string }
  | { kind: 'help'; arg: string }
  | { kind: 'starttls' }
  | { kind: 'auth'; mechanism: string; initialResponse?: string }

export interface ParseCommandOptions {
  /**
   * The current transaction's MAIL carried SMTPUTF8, so RCPT paths may be UTF-8 (RFC 6531
   * 3.4). MAIL's own path may be UTF-8 when that MAIL carries SMTPUTF8, whatever this says;
   * the SMTPUTF8 parameter itself is always recognized (the session advertises it).
   */
  smtputf8Allowed: boolean
}

function badArgs(text: string): SmtpReplyError {
  return new SmtpReplyError(C501ParamSyntax, Es554InvalidArguments, text)
}

function unknownParam(keyword: string): SmtpReplyError {
  return new SmtpReplyError(
    C555ParamsNotRecognized,
    Es554InvalidArguments,
    `parameter ${keyword} not recognized`,
  )
}

/**
 * Decodes RFC 3461 4 xtext: "+" followed by two hex digits is that octet; other characters
 * are themselves. Lower-case hex is accepted. Throws 501 5.5.4 on a malformed "+".
 */
export function decodeXtext(s: string): string {
  if (!s.includes('+')) return s
  const bytes: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i)
    if (c === '+') {
      const hex = s.slice(i + 1, i + 3)
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw badArgs('bad xtext encoding')
      bytes.push(parseInt(hex, 16))
      i += 2
    } else {
      for (const b of Buffer.from(c)) bytes.push(b)
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/** Splits "KEY=value KEY2" (RFC 5321 4.1.2 Mail-parameters) into upper-cased keywords. */
function splitParams(s: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>()
  for (const word of s.split(' ')) {
    if (word === '') continue // lenient on several spaces between parameters
    const eq = word.indexOf('=')
    const keyword = (eq < 0 ? word : word.slice(0, eq)).toUpperCase()
    const value = eq < 0 ? undefined : word.slice(eq + 1)
    // RFC 5321 4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(keyword)) throw badArgs(`bad parameter ${word}`)
    // RFC 5321 4.1.2: esmtp-value = 1*(%d33-60 / %d62-126); RFC 6531 3.3 adds UTF-8.
    if (value !== undefined && !/^[\x21-\x3c\x3e-\x7e\u0080-\u{10FFFF}]+$/u.test(value)) {
      throw badArgs(`bad value for ${keyword}`)
    }
    if (out.has(keyword)) throw badArgs(`duplicate parameter ${keyword}`)
    out.set(keyword, value)
  }
  return out
}

function requireValue(keyword: string, value: string | undefined): string {
  if (value === undefined) throw badArgs(`${keyword} needs a value`)
  return value
}

function parseMailParams(s: string): MailParams {
  const params: MailParams = { smtputf8: false }
  for (const [keyword, value] of splitParams(s)) {
    switch (keyword) {
      case 'SIZE': {
        // RFC 1870 6: size-value = 1*20DIGIT
        const v = requireValue(keyword, value)
        if (!/^[0-9]{1,20}$/.test(v)) throw badArgs('bad SIZE value')
        params.size = Number(v)
        break
      }
      case 'BODY': {
        // RFC 6152 2 (8BITMIME), RFC 3030 3 (BINARYMIME), RFC 1652 (7BIT).
        const v = requireValue(keyword, value).toUpperCase()
        if (v !== '7BIT' && v !== '8BITMIME' && v !== 'BINARYMIME') throw badArgs('bad BODY')
        params.body = v
        break
      }
      case 'SMTPUTF8':
        // RFC 6531 3.4: the parameter has no value.
        if (value !== undefined) throw badArgs('SMTPUTF8 takes no value')
        params.smtputf8 = true
        break
      case 'RET': {
        // RFC 3461 4.3: RET=FULL / RET=HDRS
        const v = requireValue(keyword, value).toUpperCase()
        if (v !== 'FULL' && v !== 'HDRS') throw badArgs('bad RET')
        params.ret = v
        break
      }
      case 'ENVID': {
        // RFC 3461 4.4: xtext, at most 100 characters.
        const v = requireValue(keyword, value)
        if (v.length > 100) throw badArgs('ENVID too long')
        params.envid = decodeXtext(v)
        break
      }
      case 'AUTH':
        // RFC 4954 5: AUTH=xtext, the decoded value is a mailbox or "<>".
        params.auth = decodeXtext(requireValue(keyword, value))
        break
      default:
        throw unknownParam(keyword)
    }
  }
  return params
}

/** RFC 3461 4.1: NOTIFY="NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ). */
function parseNotify(value: string): NotifyValue[] {
  const words = value.toUpperCase().split(',')
  if (words.length === 1 && words[0] === 'NEVER') return ['NEVER']
  const out: NotifyValue[] = []
  for (const w of words) {
    const ok = w === 'SUCCESS' || w === 'FAILURE' || w === 'DELAY'
    if (!ok || out.includes(w)) throw badArgs('bad NOTIFY')
    out.push(w)
  }
  return out
}

function parseRcptParams(s: string): RcptParams {
  const params: RcptParams = {}
  for (const [keyword, value] of splitParams(s)) {
    switch (keyword) {
      case 'NOTIFY':
        params.notify = parseNotify(requireValue(keyword, value))
        break
      case 'ORCPT': {
        // RFC 3461 4.2: ORCPT=addr-type ";" xtext, at most 500 characters.
        const v = requireValue(keyword, value)
        const semi = v.indexOf(';')
        const type = v.slice(0, Math.max(semi, 0))
        // RFC 3461 4.2: addr-type = atom (RFC 5322 3.2.3 atext)
        if (semi < 0 || v.length > 500 || !/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/.test(type)) {
          throw badArgs('bad ORCPT')
        }
        params.orcpt = { type, value: decodeXtext(v.slice(semi + 1)) }
        break
      }
      default:
        throw unknownParam(keyword)
    }
  }
  return params
}

/** Parses "FROM:<path> params" / "TO:<path> params" after the verb. */
function parsePathCommand(
  rest: string,
  opts: { prefix: string; role: 'mail' | 'rcpt'; smtputf8: boolean },
): { path: Path; params: string } {
  const usage = `syntax: ${opts.role.toUpperCase()} ${opts.prefix}<address>`
  // RFC 5321 4.1.1.2 and 4.1.1.3: "FROM:" / "TO:", case-insensitive (RFC 5321 2.4).
  if (rest.slice(0, opts.prefix.length).toUpperCase() !== opts.prefix) throw badArgs(usage)
  let i = opts.prefix.length
  // RFC 5321 4.1.1.2: no space after the colon; accepted anyway, as most servers do.
  while (rest.charAt(i) === ' ') i++
  if (rest.charAt(i) !== '<') throw badArgs(usage)
  const { path, end } = readPath(rest, i, { smtputf8: opts.smtputf8, role: opts.role })
  // RFC 5321 4.1.2: [SP Mail-parameters]
  if (end < rest.length && rest.charAt(end) !== ' ') throw badArgs(usage)
  return { path, params: rest.slice(end) }
}

function parseMail(rest: string): SmtpCommand {
  // The path may be UTF-8 only when the same command carries SMTPUTF8 (RFC 6531 3.4), so
  // the parameters are read first, then the path is checked against them.
  const loose = parsePathCommand(rest, { prefix: 'FROM:', role: 'mail', smtputf8: true })
  const params = parseMailParams(loose.params)
  if (params.smtputf8) return { kind: 'mail', from: loose.path, params }
  const strict = parsePathCommand(rest, { prefix: 'FROM:', role: 'mail', smtputf8: false })
  return { kind: 'mail', from: strict.path, params }
}

function parseRcpt(rest: string, opts: ParseCommandOptions): SmtpCommand {
  const smtputf8 = opts.smtputf8Allowed
  const { path, params } = parsePathCommand(rest, { prefix: 'TO:', role: 'rcpt', smtputf8 })
  return { kind: 'rcpt', to: path, params: parseRcptParams(params) }
}

function parseHello(kind: 'helo' | 'ehlo', rest: string): SmtpCommand {
  // RFC 5321 4.1.1.1: "EHLO" SP ( Domain / address-literal ). Lenient: any first word.
  const domain = rest.split(' ').find((w) => w !== '') ?? ''
  if (domain === '') throw badArgs(`syntax: ${kind.toUpperCase()} hostname`)
  return { kind, domain }
}

function parseBdat(rest: string): SmtpCommand {
  // RFC 3030 2: "BDAT" SP chunk-size [ SP end-marker ]; end-marker = "LAST"
  const m = /^([0-9]{1,15})(?: +(LAST))?$/i.exec(rest.trim())
  if (m?.[1] === undefined) throw badArgs('syntax: BDAT size [LAST]')
  return { kind: 'bdat', size: Number(m[1]), last: m[2] !== undefined }
}

function parseAuth(rest: string): SmtpCommand {
  // RFC 4954 4: "AUTH" SP sasl-mech [SP initial-response]; RFC 4422 3.1 mechanism names.
  const words = rest.split(' ').filter((w) => w !== '')
  const [mech, initial, extra] = words
  if (mech === undefined || extra !== undefined || !/^[A-Z0-9_-]{1,20}$/i.test(mech)) {
    throw badArgs('syntax: AUTH mechanism [initial-response]')
  }
  const command: SmtpCommand = { kind: 'auth', mechanism: mech.toUpperCase() }
  if (initial === undefined) return command
  // RFC 4954 4: initial-response = base64 / "="
  if (initial !== '=' && !/^[A-Za-z0-9+/]+={0,2}$/.test(initial)) {
    throw new SmtpReplyError(C501ParamSyntax, Es552SyntaxError, 'bad base64 initial response')
  }
  return { ...command, initialResponse: initial }
}

function noArgs<K extends 'data' | 'rset' | 'quit' | 'starttls'>(
  kind: K,
  rest: string,
): { kind: K } {
  // RFC 5321 4.1.1.4 (DATA), 4.1.1.5 (RSET), 4.1.1.10 (QUIT); RFC 3207 4 (STARTTLS).
  if (rest.trim() !== '') throw badArgs(`syntax: ${kind.toUpperCase()} takes no arguments`)
  return { kind }
}

function requireArg(kind: 'vrfy' | 'expn', rest: string): SmtpCommand {
  // RFC 5321 4.1.1.6 / 4.1.1.7: "VRFY" SP String
  const arg = rest.trim()
  if (arg === '') throw badArgs(`syntax: ${kind.toUpperCase()} string`)
  return { kind, arg }
}

/**
 * Parses one command line (without its CRLF). Throws SmtpReplyError: 500 5.5.2 for an
 * unknown verb or a line with NUL/CR/LF, 501 5.5.4 for bad arguments, 555 5.5.4 for unknown
 * MAIL/RCPT parameters, 501 5.1.7/5.1.3 for bad paths.
 */
export function parseCommand(line: string, opts: ParseCommandOptions): SmtpCommand {
  // RFC 5321 2.3.8: CR and LF only as CRLF; NUL never belongs in a command.
  if (/[\0\r\n]/.test(line)) {
    throw new SmtpReplyError(C500SyntaxError, Es552SyntaxError, 'bad character in command')
  }
  const trimmed = line.replace(/[ \t]+$/, '') // lenient on trailing white space
  const sp = trimmed.indexOf(' ')
  const verb = (sp < 0 ? trimmed : trimmed.slice(0, sp)).toUpperCase() // RFC 5321 2.4
  const rest = sp < 0 ? '' : trimmed.slice(sp + 1)
  switch (verb) {
    case 'HELO':
      return parseHello('helo', rest)
    case 'EHLO':
      return parseHello('ehlo', rest)
    case 'MAIL':
      return parseMail(rest)
    case 'RCPT':
      return parseRcpt(rest, opts)
    case 'DATA':
      return noArgs('data', rest)
    case 'RSET':
      return noArgs('rset', rest)
    case 'QUIT':
      return noArgs('quit', rest)
    case 'STARTTLS':
      return noArgs('starttls', rest)
    case 'BDAT':
      return parseBdat(rest)
    case 'NOOP':
      return { kind: 'noop' } // RFC 5321 4.1.1.9: the argument is ignored
    case 'VRFY':
      return requireArg('vrfy', rest)
    case 'EXPN':
      return requireArg('expn', rest)
    case 'HELP':
      return { kind: 'help', arg: rest.trim() } // RFC 5321 4.1.1.8
    case 'AUTH':
      return parseAuth(rest)
    default:
      throw new SmtpReplyError(C500SyntaxError, Es552SyntaxError, 'command not recognized')
  }
}
