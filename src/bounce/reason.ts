// Bounce reasons: why a delivery failed, named after the Sisimai vocabulary (userunknown,
// mailboxfull, hostunknown, expired, blocked, ...). A reason comes, in order, from: a success
// status (RFC 3463 class 2 = delivered); phrases of the remote reply text (the most specific
// evidence: "user unknown", "mailbox full", "listed in ..."); the RFC 3463 enhanced status
// code (subject.detail, RFC 3463 3.1-3.9); the DSN Action (RFC 3464 2.3.3: delayed = expired).
// A hard bounce is a permanent failure saying the address does not exist (suppress it).
//
// Every match is a plain substring or a short anchored regular expression on a capped,
// lower-cased string: bounded work on any input.

import { PHRASES, WEAK_PHRASES, type Rule } from './reason-phrases.ts'

/** Inputs the classifier looks at. */
export interface ReasonInput {
  /** RFC 3463 status "5.1.1" or ''. */
  status: string
  /** The remote reply / diagnostic text (any case). */
  diagnostic: string
  /** RFC 3464 2.3.3 Action ('' when unknown). */
  action: string
  /** SMTP command the failure answered (RCPT, DATA, MAIL, EHLO...), '' when unknown. */
  command?: string
}

/** Longest diagnostic text looked at. */
const MAX_TEXT = 4000

// RFC 3463 3.2-3.9: reasons by "subject.detail", for the codes that name a cause.
const BY_STATUS: Readonly<Record<string, string>> = {
  '1.1': 'userunknown', // RFC 3463 3.2 X.1.1 bad destination mailbox address
  '1.2': 'hostunknown', // X.1.2 bad destination system address
  '1.3': 'userunknown', // X.1.3 bad destination mailbox address syntax
  '1.4': 'userunknown', // X.1.4 destination mailbox address ambiguous
  '1.6': 'hasmoved', // X.1.6 destination mailbox has moved
  '1.7': 'rejected', // X.1.7 bad sender's mailbox address syntax
  '1.8': 'rejected', // X.1.8 bad sender's system address
  '1.10': 'notaccept', // RFC 7505 4.1: recipient address has null MX
  '2.0': 'filtered', // RFC 3463 3.3 X.2.0 other mailbox status
  '2.1': 'suspend', // X.2.1 mailbox disabled
  '2.2': 'mailboxfull', // X.2.2 mailbox full
  '2.3': 'mesgtoobig', // X.2.3 message length exceeds administrative limit
  '2.4': 'systemerror', // X.2.4 mailing list expansion problem
  '3.1': 'systemfull', // RFC 3463 3.4 X.3.1 mail system full
  '3.2': 'notaccept', // X.3.2 system not accepting network messages
  '3.3': 'systemerror', // X.3.3 system not capable of selected features
  '3.4': 'mesgtoobig', // X.3.4 message too big for system
  '3.5': 'systemerror', // X.3.5 system incorrectly configured
  '4.0': 'networkerror', // RFC 3463 3.5 X.4.0 other network or routing status
  '4.1': 'expired', // X.4.1 no answer from host
  '4.2': 'expired', // X.4.2 bad connection
  '4.3': 'systemerror', // X.4.3 directory server failure
  '4.4': 'hostunknown', // X.4.4 unable to route
  '4.5': 'networkerror', // X.4.5 mail system congestion
  '4.6': 'networkerror', // X.4.6 routing loop detected
  '4.7': 'expired', // X.4.7 delivery time expired
  '5.3': 'syntaxerror', // RFC 3463 3.6 X.5.3 too many recipients
  '5.4': 'syntaxerror', // X.5.4 invalid command arguments
  '5.1': 'syntaxerror', // X.5.1 invalid command
  '5.2': 'syntaxerror', // X.5.2 syntax error
  '6.0': 'contenterror', // RFC 3463 3.7 X.6.0 other media error
  '6.1': 'contenterror', // X.6.1 media not supported
  '7.0': 'securityerror', // RFC 3463 3.8 X.7.0 other security or policy status
  '7.1': 'rejected', // X.7.1 delivery not authorized, message refused
  '7.2': 'systemerror', // X.7.2 mailing list expansion prohibited
  '7.4': 'securityerror', // X.7.4 security features not supported
  '7.5': 'securityerror', // X.7.5 cryptographic failure
  '7.6': 'securityerror', // X.7.6 cryptographic algorithm not supported
  '7.7': 'securityerror', // X.7.7 message integrity failure
  '7.13': 'suspend', // IANA enhanced status code registry: X.7.13 user account disabled
  '7.25': 'requireptr', // RFC 7372 3.3: reverse DNS validation failed
  '7.26': 'authfailure', // RFC 7372 3.3: multiple authentication checks failed
  '7.27': 'notaccept', // RFC 7505 4.2: sender address has null MX
}

/** Reasons meaning the recipient address itself is gone (a hard bounce, suppress it). */
const HARD_REASONS = new Set(['userunknown', 'hostunknown', 'hasmoved'])

function phraseReason(text: string, rules: readonly Rule[] = PHRASES): string | undefined {
  for (const [reason, phrases] of rules) {
    for (const p of phrases) {
      if (typeof p === 'string' ? text.includes(p) : p.test(text)) return reason
    }
  }
  return undefined
}

/** RFC 3463 2: the "subject.detail" part of a status code, '' when malformed. */
function subjectDetail(status: string): string {
  const m = /^[245]\.(\d{1,3}\.\d{1,3})$/.exec(status)
  return m?.[1] ?? ''
}

/**
 * The SMTP command a quoted reply answered: Postfix "in reply to X command", Exim "after X",
 * DragonFly "did not like our X", MailFoundry "SMTP command X"; '' when not said.
 */
export function commandFromText(text: string): string {
  const head = text.slice(0, MAX_TEXT)
  const m =
    /(?:in reply to (?:end of )?|after (?:end of )?|did not like our |smtp command:? *)(data|rcpt|mail from|ehlo|helo|initial connection|connect)\b/i.exec(
      head,
    ) ?? /(does not like recipient|\[rcpt_to\])/i.exec(head)
  const word = (m?.[1] ?? '').toLowerCase()
  if (word === 'initial connection' || word === 'connect') return 'CONN'
  if (word === 'does not like recipient' || word === '[rcpt_to]') return 'RCPT' // qmail, Yahoo
  return word.split(' ')[0]?.toUpperCase() ?? ''
}

/** Classify a failure into a reason name. */
export function classifyReason(input: ReasonInput): string {
  const { status, action } = input
  if (status.startsWith('2.') || action === 'delivered') return 'delivered' // RFC 3463 3.1
  const text = input.diagnostic.slice(0, MAX_TEXT).toLowerCase()
  const command = (input.command ?? commandFromText(text)).toUpperCase()
  const fromText = text === '' ? undefined : phraseReason(text)
  // A "no such user" answer to the message content (after DATA) is a content filter's verdict.
  if (fromText === 'userunknown' && command === 'DATA') return 'filtered'
  // RFC 3463 3.3, 3.8: a mailbox status (X.2.Y) or a policy status (X.7.Y) says the mailbox
  // is there; "user unknown" with it is a filter's answer, not a missing address
  // (Only when the reply does not say it answered RCPT TO.)
  if (fromText === 'userunknown' && command === '' && /^[45]\.[27]\./.test(status)) {
    return 'filtered'
  }
  // A name that does not resolve *for now* (4.x.x) is a network problem, not a missing host.
  if (fromText === 'hostunknown' && status.startsWith('4.')) return 'networkerror'
  if (fromText !== undefined) return fromText
  const detail = subjectDetail(status)
  // RFC 3464 2.3.3: a "delayed" action means delivery is still being retried; unless the
  // status names a cause (not X.Y.0), that is an expiry in the making.
  if (action === 'delayed' && (detail === '' || detail.endsWith('.0'))) return 'expired'
  const fromStatus = BY_STATUS[detail]
  if (fromStatus !== undefined) return fromStatus
  const fromWeak = text === '' ? undefined : phraseReason(text, WEAK_PHRASES)
  if (fromWeak !== undefined) return fromWeak
  if (command === 'EHLO' || command === 'HELO' || command === 'CONN') return 'blocked'
  if (command === 'MAIL') return 'rejected'
  if (status.startsWith('5.') && command === 'DATA') return 'filtered'
  return text === '' ? 'undefined' : 'onhold'
}

/** Whether a failure is a hard bounce: the address does not exist. */
export function isHardBounce(reason: string, status: string): boolean {
  if (HARD_REASONS.has(reason)) return true
  return reason === 'notaccept' && status.startsWith('5.') // RFC 7505: a null MX domain
}

/** RFC 3463 2: the first "class.subject.detail" code in a text, '' when none. */
export function statusFromText(text: string): string {
  const head = text.slice(0, MAX_TEXT)
  // The code right after a reply code ("550 5.2.2", "550-'5.2.2") is the remote server's own.
  const afterReply = /(?:^|[^\d.])[245]\d\d[ -]['"#]?([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/.exec(
    head,
  )
  const m = afterReply ?? /(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/.exec(head)
  return m?.[1] ?? ''
}

/** RFC 5321 4.2: the first three-digit 4yz/5yz (or 2yz) reply code in a text, '' when none. */
export function replyCodeFromText(text: string): string {
  const m = /(?:^|[^\d.#-])([245][0-5]\d)(?=[ -]|$)/.exec(text.slice(0, MAX_TEXT))
  return m?.[1] ?? ''
}
