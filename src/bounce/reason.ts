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

/** Reasons that judge the message content. */
const CONTENT_REASONS = new Set(['spamdetected', 'virusdetected', 'contenterror', 'filtered'])

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

/** RFC 3463 3.2: an addressing status (X.1.Y) says the address itself is bad. */
function isAddressStatus(status: string): boolean {
  return subjectDetail(status).startsWith('1.')
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
  const fromTranscript = transcriptCommand(head)
  if (fromTranscript !== '') return fromTranscript
  const m =
    /(?:in reply to (?:end of )?|after (?:end of )?|did not like our |smtp command:? *)(data|rcpt|mail from|ehlo|helo|initial connection|connect)\b/i.exec(
      head,
    ) ?? /(does not like recipient|\[rcpt_to\])/i.exec(head)
  const word = (m?.[1] ?? '').toLowerCase()
  if (word === 'initial connection' || word === 'connect') return 'CONN'
  if (word === 'does not like recipient' || word === '[rcpt_to]') return 'RCPT' // qmail, Yahoo
  return word.split(' ')[0]?.toUpperCase() ?? ''
}

/** Most ">>> command" / "<<< reply" steps of a transcript looked at. */
const MAX_TRANSCRIPT_STEPS = 50

/**
 * Sendmail's "Transcript of session follows" (">>> RCPT To:<a@b>" then "<<< 550 ..."; Postfix
 * writes "In: RCPT TO:<a@b>" then "Out: 550 ..." in its smtpd transcripts), qmail's
 * "most progress was RCPT TO response" and the like: the last command sent before the first
 * failure reply (RFC 5321 4.2: 4yz or 5yz); '' when the text holds no such transcript.
 * RFC 2920 3.1: with PIPELINING, Sendmail shows only ">>> DATA" for the RCPT TO...DATA group
 * and the replies come in command order; when a second failure reply follows the first, the
 * first answered a pipelined RCPT TO and the last one DATA ("554 no valid recipients").
 */
function transcriptCommand(head: string): string {
  const step =
    /(?:>>>|\bin:|most progress was|smtp:)\s*(data|rcpt|mail|ehlo|helo)\b|(?:<<<|\bout:)\s*[45]\d\d/gi
  let last = ''
  for (let i = 0; i < MAX_TRANSCRIPT_STEPS; i++) {
    const m = step.exec(head)
    if (m === null) return ''
    if (m[1] === undefined) {
      if (last !== 'DATA') return last
      const after = /(?:<<<|\bout:)\s*[45]\d\d|>>>|\bin:/i.exec(head.slice(step.lastIndex))
      return after !== null && /^(<|out)/i.test(after[0]) ? 'RCPT' : last
    }
    last = m[1].toUpperCase()
    if (!/^(>|in:)/i.test(m[0])) return last // "most progress was X", "SMTP:X": no reply follows
  }
  return ''
}

/** Classify a failure into a reason name. */
export function classifyReason(input: ReasonInput): string {
  const { status, action } = input
  if (status.startsWith('2.') || action === 'delivered') return 'delivered' // RFC 3463 3.1
  const text = input.diagnostic.slice(0, MAX_TEXT).toLowerCase()
  const command = (input.command ?? commandFromText(text)).toUpperCase()
  const fromText = text === '' ? undefined : phraseReason(text)
  // A "no such user" answer to the message content (after DATA) is a content filter's verdict.
  // RFC 3463 3.2: unless the status says the address is bad (X.1.Y), or the server is one that
  // refuses unknown accounts only at the end of DATA (Yahoo: "554 delivery error: dd This user
  // doesn't have a yahoo.com account").
  const unknownAtData = isAddressStatus(status) || text.includes('delivery error: dd ')
  if (fromText === 'userunknown' && command === 'DATA' && !unknownAtData) return 'filtered'
  // RFC 3463 3.3, 3.8: a mailbox status (X.2.Y) or a policy status (X.7.Y) says the mailbox
  // is there; "user unknown" with it is a filter's answer, not a missing address
  // (Only when the reply does not say it answered RCPT TO.)
  if (fromText === 'userunknown' && command === '' && /^[45]\.[27]\./.test(status)) {
    return 'filtered'
  }
  // RFC 5321 3.1, 4.1.1.1: refused at the greeting or at EHLO/HELO, before any message was
  // sent: the verdict is about the client (its address, its name), not about content.
  const beforeMail = command === 'CONN' || command === 'EHLO' || command === 'HELO'
  if (beforeMail && fromText !== undefined && CONTENT_REASONS.has(fromText)) return 'blocked'
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
  // RFC 7505: a null MX domain (or none at all), unless the failure was only temporary.
  return reason === 'notaccept' && !status.startsWith('4.')
}

/**
 * RFC 3463 2: the first "class.subject.detail" code in a text, '' when none. A failure code
 * (class 4 or 5) wins over a success code (class 2) met before it: a transcript quotes the
 * replies that went well ("250 2.1.5 Ok") before the one that failed ("451 4.3.0 ...").
 */
export function statusFromText(text: string): string {
  const head = text.slice(0, MAX_TEXT)
  return firstStatus(head, '45') || firstStatus(head, '2')
}

// The code right after a reply code ("550 5.2.2", "550-'5.2.2") is the remote server's own.
const STATUS_AFTER_REPLY = {
  '45': /(?:^|[^\d.])[45]\d\d[ -]['"#]?([45]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/,
  '2': /(?:^|[^\d.])2\d\d[ -]['"#]?(2\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/,
}
const STATUS_ANYWHERE = {
  '45': /(?:^|[^\d.])([45]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/,
  '2': /(?:^|[^\d.])(2\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/,
}

function firstStatus(head: string, classes: '45' | '2'): string {
  const m = STATUS_AFTER_REPLY[classes].exec(head) ?? STATUS_ANYWHERE[classes].exec(head)
  return m?.[1] ?? ''
}

/**
 * RFC 3463 3.5: X.4.7 "delivery time expired" only says that the retries ran out; when the
 * text also quotes the last error met ("554 4.4.7 Message expired: unable to deliver in 840
 * minutes.<421 4.4.2 Connection timed out>"), that error's status, of the same class, is the
 * more precise one. Other statuses are returned as they are.
 */
export function causeOfExpiry(status: string, text: string): string {
  if (subjectDetail(status) !== '4.7') return status
  const codes = text
    .slice(0, MAX_TEXT)
    .matchAll(/(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/g)
  for (const m of codes) {
    const code = m[1] ?? ''
    if (code.charAt(0) === status.charAt(0) && subjectDetail(code) !== '4.7') return code
  }
  return status
}

/**
 * RFC 5321 4.2: the first three-digit 4yz/5yz reply code in a text (the first 2yz one when
 * there is no failure, as in a delivery report), '' when none.
 */
export function replyCodeFromText(text: string): string {
  const head = text.slice(0, MAX_TEXT)
  const m = FAILURE_REPLY.exec(head) ?? SUCCESS_REPLY.exec(head)
  return m?.[1] ?? ''
}

const FAILURE_REPLY = /(?:^|[^\d.#-])([45][0-5]\d)(?=[ -]|$)/
const SUCCESS_REPLY = /(?:^|[^\d.#-])(2[0-5]\d)(?=[ -]|$)/
