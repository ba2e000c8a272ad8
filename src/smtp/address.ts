// SMTP paths (RFC 5321 4.1.2): the "<...>" reverse-path of MAIL and forward-path of RCPT.
// Handles the null path "<>", source routes "<@a,@b:user@d>" (accepted and ignored, RFC 5321
// 4.1.1.3 and Appendix C), dot-atom and quoted local parts, domains and address literals
// (RFC 5321 4.1.3), the length limits of RFC 5321 4.5.3.1 and UTF-8 addresses (RFC 6531 3.3).

import { isIPv4, isIPv6 } from 'node:net'
import {
  C501ParamSyntax,
  C553MailboxNameNotAllowed,
  Es513BadDestSyntax,
  Es517BadSenderSyntax,
  Es567NonAsciiAddress,
  SmtpReplyError,
} from './codes.ts'

export type Path =
  | { kind: 'null' }
  /** RFC 5321 4.1.1.3: "RCPT TO:<Postmaster>" without a domain; only for role 'rcpt'. */
  | { kind: 'postmaster' }
  | {
      kind: 'mailbox'
      /** The local part's semantic value: quotes and backslash escapes removed. */
      localPart: string
      /** As given (address literals keep their brackets). */
      domain: string
      /** normalizeAddress(localPart, domain). */
      address: string
    }

export interface PathOptions {
  /** Non-ASCII allowed (RFC 6531: SMTPUTF8 was given on MAIL). */
  smtputf8: boolean
  /** Which command the path belongs to: picks 5.1.7 (sender) or 5.1.3 (recipient). */
  role: 'mail' | 'rcpt'
}

// RFC 5321 4.5.3.1.1, 4.5.3.1.2, 4.5.3.1.3: size limits in octets.
const maxLocalPartOctets = 64
const maxDomainOctets = 255
const maxPathOctets = 256

// RFC 5321 4.1.2 Dot-string of RFC 5322 3.2.3 atext, with RFC 6531 3.3 UTF8-non-ascii added.
// Paths are parsed with the UTF-8 grammar; non-ASCII is then refused with 553 5.6.7 unless
// SMTPUTF8 is in force.
const dotStringUtf8 =
  /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10FFFF}]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10FFFF}]+)*$/u
// RFC 5321 4.1.2 sub-domain = Let-dig [Ldh-str]; RFC 6531 3.3 adds U-labels.
const subDomainAscii = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/
const subDomainUtf8 =
  /^[A-Za-z0-9\u0080-\u{10FFFF}]([A-Za-z0-9\-\u0080-\u{10FFFF}]*[A-Za-z0-9\u0080-\u{10FFFF}])?$/u
// RFC 5321 4.1.3 General-address-literal = Standardized-tag ":" 1*dcontent.
const generalLiteral = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?:[\x21-\x5a\x5e-\x7e]+$/
const nonAscii = /[\u0080-\u{10FFFF}]/u

function syntaxError(role: 'mail' | 'rcpt', why: string): SmtpReplyError {
  const enhanced = role === 'mail' ? Es517BadSenderSyntax : Es513BadDestSyntax
  const what = role === 'mail' ? 'sender' : 'recipient'
  return new SmtpReplyError(C501ParamSyntax, enhanced, `bad ${what} address syntax: ${why}`)
}

/** True for a local part that can be written without quotes (RFC 5321 4.1.2 Dot-string). */
function isDotString(localPart: string): boolean {
  return dotStringUtf8.test(localPart)
}

/**
 * The canonical address text: the local part as given (quoted only when it is not a
 * Dot-string, RFC 5321 4.1.2), "@", the domain lower-cased. The server lower-cases the local
 * part itself for lookups.
 */
export function normalizeAddress(localPart: string, domain: string): string {
  const local = isDotString(localPart)
    ? localPart
    : `"${localPart.replace(/["\\]/g, (c) => `\\${c}`)}"`
  return `${local}@${domain.toLowerCase()}`
}

/** True for a valid RFC 5321 4.1.2 Domain (labels of at most 63 octets, RFC 1035 2.3.4). */
export function isValidDomain(domain: string, opts: { smtputf8: boolean }): boolean {
  if (domain === '' || Buffer.byteLength(domain) > maxDomainOctets) return false
  const label = opts.smtputf8 ? subDomainUtf8 : subDomainAscii
  return domain.split('.').every((l) => Buffer.byteLength(l) <= 63 && label.test(l))
}

/** True for an RFC 5321 4.1.3 address-literal, brackets included. */
export function isValidAddressLiteral(literal: string): boolean {
  if (!literal.startsWith('[') || !literal.endsWith(']')) return false
  const inner = literal.slice(1, -1)
  if (isIPv4(inner)) return true // RFC 5321 4.1.3 IPv4-address-literal
  if (/^ipv6:/i.test(inner)) return isIPv6(inner.slice(5)) // RFC 5321 4.1.3 IPv6-address-literal
  return generalLiteral.test(inner)
}

/** Reads an RFC 5321 4.1.2 Quoted-string at s[start] === '"'; returns value and end index. */
function readQuoted(s: string, start: number, opts: PathOptions): { value: string; end: number } {
  let value = ''
  let i = start + 1
  while (i < s.length) {
    const c = s.charAt(i)
    if (c === '"') return { value, end: i + 1 }
    if (c === '\\') {
      // RFC 5321 4.1.2: quoted-pairSMTP = %d92 %d32-126
      const next = s.charAt(i + 1)
      if (!/^[\x20-\x7e]$/.test(next)) throw syntaxError(opts.role, 'bad quoted pair')
      value += next
      i += 2
      continue
    }
    // RFC 5321 4.1.2: qtextSMTP = %d32-33 / %d35-91 / %d93-126 (RFC 6531 3.3: + UTF-8)
    const isText = /^[\x20-\x21\x23-\x5b\x5d-\x7e]$/.test(c) || nonAscii.test(c)
    if (!isText) throw syntaxError(opts.role, 'bad character in quoted local part')
    value += c
    i += 1
  }
  throw syntaxError(opts.role, 'unterminated quoted local part')
}

/** Skips an RFC 5321 4.1.2 A-d-l source route ("@a,@b:"), which 4.1.1.3 says to ignore. */
function skipSourceRoute(s: string, start: number, opts: PathOptions): number {
  if (s.charAt(start) !== '@') return start
  const colon = s.indexOf(':', start)
  if (colon < 0) throw syntaxError(opts.role, 'bad source route')
  for (const hop of s.slice(start, colon).split(',')) {
    const domain = hop.slice(1)
    const ok =
      hop.startsWith('@') &&
      (isValidDomain(domain, { smtputf8: true }) || isValidAddressLiteral(domain))
    if (!ok) throw syntaxError(opts.role, 'bad source route')
  }
  return colon + 1
}

/** Reads the Mailbox after the optional source route, up to the closing ">". */
function readMailbox(
  s: string,
  start: number,
  opts: PathOptions,
): { localPart: string; domain: string; end: number } {
  let localPart: string
  let i: number
  if (s.charAt(start) === '"') {
    const q = readQuoted(s, start, opts)
    localPart = q.value
    i = q.end
    if (Buffer.byteLength(s.slice(start, i)) > maxLocalPartOctets) {
      throw syntaxError(opts.role, 'local part too long')
    }
  } else {
    // A Dot-string holds no "@", so the first "@" ends it.
    const at = s.indexOf('@', start)
    if (at < 0) throw syntaxError(opts.role, 'missing @domain')
    localPart = s.slice(start, at)
    i = at
    if (!dotStringUtf8.test(localPart)) throw syntaxError(opts.role, 'bad local part')
    if (Buffer.byteLength(localPart) > maxLocalPartOctets) {
      throw syntaxError(opts.role, 'local part too long')
    }
  }
  if (s.charAt(i) !== '@') throw syntaxError(opts.role, 'missing @domain')
  const close = s.indexOf('>', i)
  if (close < 0) throw syntaxError(opts.role, 'missing ">"')
  const domain = s.slice(i + 1, close)
  const ok = domain.startsWith('[')
    ? isValidAddressLiteral(domain)
    : isValidDomain(domain, { smtputf8: true })
  if (!ok) throw syntaxError(opts.role, 'bad domain')
  return { localPart, domain, end: close + 1 }
}

/**
 * Reads one path starting at s[start] (which must be "<"); returns the path and the index
 * just after ">". Throws SmtpReplyError 501 5.1.7 (mail) or 501 5.1.3 (rcpt) on bad syntax,
 * 553 5.6.7 on non-ASCII without SMTPUTF8.
 */
export function readPath(s: string, start: number, opts: PathOptions): { path: Path; end: number } {
  // RFC 5321 4.1.2: Path = "<" [ A-d-l ":" ] Mailbox ">"; bare addresses are refused.
  if (s.charAt(start) !== '<') throw syntaxError(opts.role, 'address must be in <>')
  if (s.charAt(start + 1) === '>') {
    // RFC 5321 4.1.2: Reverse-path = Path / "<>"; a forward path is never null.
    if (opts.role === 'rcpt') throw syntaxError(opts.role, 'empty recipient')
    return { path: { kind: 'null' }, end: start + 2 }
  }
  // RFC 5321 4.1.1.3: "<Postmaster>" without a domain must be accepted (case-insensitive).
  if (opts.role === 'rcpt' && s.slice(start, start + 12).toLowerCase() === '<postmaster>') {
    return { path: { kind: 'postmaster' }, end: start + 12 }
  }
  const mailboxStart = skipSourceRoute(s, start + 1, opts)
  const { localPart, domain, end } = readMailbox(s, mailboxStart, opts)
  // RFC 5321 4.5.3.1.3: a path is at most 256 octets, punctuation included.
  if (Buffer.byteLength(s.slice(start, end)) > maxPathOctets) {
    throw syntaxError(opts.role, 'path too long')
  }
  // RFC 6531 3.5: UTF-8 addresses need SMTPUTF8 on MAIL.
  if (!opts.smtputf8 && (nonAscii.test(localPart) || nonAscii.test(domain))) {
    throw new SmtpReplyError(
      C553MailboxNameNotAllowed,
      Es567NonAsciiAddress,
      'non-ASCII address requires SMTPUTF8',
    )
  }
  const address = normalizeAddress(localPart, domain)
  return { path: { kind: 'mailbox', localPart, domain, address }, end }
}

/** Parses a whole "<...>" path; anything after ">" is a syntax error. */
export function parsePath(s: string, opts: PathOptions): Path {
  const { path, end } = readPath(s, 0, opts)
  if (end !== s.length) throw syntaxError(opts.role, 'unexpected text after ">"')
  return path
}
