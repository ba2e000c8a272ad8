// Bounce parsing: what a returned message says about the delivery of a message sent earlier.
// Recognised, in order:
// - ARF feedback reports (RFC 5965): multipart/report; report-type=feedback-report (RFC 6522
//   3) with a message/feedback-report part, and Apple's X-Apple-Unsubscribe opt-out mails;
// - DSNs (RFC 3464): a message/delivery-status (or RFC 6533 3 message/global-delivery-status)
//   part, usually inside multipart/report; report-type=delivery-status (RFC 3464 2);
// - automatic replies (RFC 3834 5: Auto-Submitted: auto-replied and the common variants);
// - non-standard bounces of qmail, Exim, Exchange, Gmail... (./non-standard.ts).
// Each failed recipient gets a status (RFC 3463), a diagnostic and a reason (./reason.ts).
// Pure: no I/O; never throws; bounded work on any input (capped sizes, linear scans). LF,
// CRLF and CR-only line endings give the same result.

import type { HeaderField } from '../mail/header-fields.ts'
import { parseMimeTree, type MimePart } from '../mail/mime-tree.ts'
import { findPart, isType, originalFields, reportBody } from './report-parts.ts'
import { parseSesNotification } from './amazon-ses.ts'
import { parseFeedbackReport } from './arf.ts'
import { autoReplyEvidence } from './auto-reply.ts'
import { findEmbeddedDeliveryStatus, parseDeliveryStatus, type DsnRecipient } from './dsn.ts'
import {
  fieldValue,
  findAddresses,
  MAX_PART_CHARS,
  normalizeLineEndings,
  oneLine,
  partText,
} from './message-text.ts'
import {
  excludedAddresses,
  looksLikeBounce,
  reportSection,
  scanReport,
  type TextRecipient,
} from './non-standard.ts'
import {
  causeOfExpiry,
  classifyReason,
  commandFromText,
  isHardBounce,
  replyCodeFromText,
  statusFromText,
} from './reason.ts'

export interface BounceRecipient {
  /** Final-Recipient (or the address found in the text), lower-cased local@domain. */
  recipient: string
  action: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded' | ''
  /** RFC 3463 status "5.1.1" ('' when unknown). */
  status: string
  /** Diagnostic-Code / the remote reply text, one line. */
  diagnostic: string
  /** The remote MTA, when given. */
  remoteMta?: string
  /** RFC 5321 4.2 reply code of the remote reply ("550"), '' when none is given. */
  replyCode: string
  /** Sisimai-style reason: userunknown, hostunknown, mailboxfull, filtered, rejected, expired,
   *  suspend, spamdetected, policyviolation, securityerror, mesgtoobig, systemerror,
   *  networkerror, toomanyconn, notaccept, blocked, exceedlimit, norelaying, contenterror,
   *  feedback (ARF), vacation (auto-reply, RFC 3834), delivered, undefined ... */
  reason: string
  /** A hard bounce meaning the address does not exist (suppress it). */
  hard: boolean
  /** RFC 5965 3.1 Feedback-Type of an ARF report (abuse, fraud, opt-out...). */
  feedbackType?: string
}

export interface ParsedBounce {
  kind: 'dsn' | 'non-standard' | 'arf' | 'auto-reply'
  recipients: BounceRecipient[]
  /** Message-ID of the original message (from the returned message/rfc822 or headers). */
  originalMessageId?: string
  /** Original-Envelope-Id (RFC 3464 2.2.1). */
  envelopeId?: string
  /** From / To / Subject of the original when present. */
  original?: { from?: string; to?: string; subject?: string }
}

interface Parsed {
  raw: Buffer
  root: MimePart
  fields: HeaderField[]
  /** The decoded human-readable part. */
  body: string
  /** Its beginning, before the copy of the returned message. */
  report: string
}

const ACTIONS = new Set(['failed', 'delayed', 'delivered', 'relayed', 'expanded'])

/** Parse a message; undefined when the message is not a bounce (ordinary mail). */
export function parseBounce(raw: Buffer): ParsedBounce | undefined {
  try {
    const norm = normalizeLineEndings(raw)
    const tree = parseMimeTree(norm, { maxDepth: 20, maxParts: 500 })
    const body = reportBody(norm, tree.root)
    const report = reportSection(body)
    const p: Parsed = { raw: norm, root: tree.root, fields: tree.root.fields, body, report }
    return parseArf(p) ?? parseDsn(p) ?? parseSes(p) ?? parseOther(p)
  } catch {
    return undefined // never crash on bad input: a message we cannot read is not a bounce
  }
}

function describeOriginal(
  fields: HeaderField[],
): Pick<ParsedBounce, 'original' | 'originalMessageId'> {
  const out: Pick<ParsedBounce, 'original' | 'originalMessageId'> = {}
  const id = fieldValue(fields, 'message-id')
  if (id !== undefined && id !== '') out.originalMessageId = id.trim()
  const original: NonNullable<ParsedBounce['original']> = {}
  const from = fieldValue(fields, 'from')
  const to = fieldValue(fields, 'to')
  const subject = fieldValue(fields, 'subject')
  if (from !== undefined) original.from = from
  if (to !== undefined) original.to = to
  if (subject !== undefined) original.subject = subject
  if (Object.keys(original).length > 0) out.original = original
  return out
}

// ---- ARF (RFC 5965) ----

function parseArf(p: Parsed): ParsedBounce | undefined {
  const report = findPart(p.root, (x) => isType(x, 'message', ['feedback-report']))
  if (report === undefined) return appleUnsubscribe(p)
  const fr = parseFeedbackReport(partText(p.raw, report))
  const orig = originalFields(p.raw, p.root, p)
  const rcpts =
    fr.originalRcptTo.length > 0
      ? fr.originalRcptTo
      : findAddresses(fieldValue(orig, 'to') ?? '', 1).map((a) => a.address)
  return {
    kind: 'arf',
    recipients: (rcpts.length > 0 ? rcpts : ['']).map((recipient) => ({
      recipient,
      action: '',
      status: '',
      diagnostic: '',
      replyCode: '',
      reason: 'feedback',
      hard: false,
      feedbackType: fr.feedbackType,
    })),
    ...describeOriginal(orig),
  }
}

/** Apple Mail's one-click unsubscribe answer: an opt-out feedback of sorts. */
function appleUnsubscribe(p: Parsed): ParsedBounce | undefined {
  if ((fieldValue(p.fields, 'x-apple-unsubscribe') ?? '').toLowerCase() !== 'true') return undefined
  const from = findAddresses(fieldValue(p.fields, 'from') ?? '', 1)[0]?.address ?? ''
  return {
    kind: 'arf',
    recipients: [
      {
        recipient: from,
        action: '',
        status: '',
        diagnostic: oneLine(p.body, 300),
        replyCode: '',
        reason: 'feedback',
        hard: false,
        feedbackType: 'opt-out',
      },
    ],
  }
}

// ---- DSN (RFC 3464) ----

function parseDsn(p: Parsed): ParsedBounce | undefined {
  const part = findPart(p.root, (x) =>
    isType(x, 'message', ['delivery-status', 'global-delivery-status']),
  )
  let ds = parseDeliveryStatus(part === undefined ? '' : partText(p.raw, part))
  if (ds.recipients.length === 0) {
    // The fields quoted in the human-readable text (Amazon WorkMail's "Technical report:"),
    // read once its transfer encoding is undone.
    ds = parseDeliveryStatus(findEmbeddedDeliveryStatus(p.body))
  }
  if (ds.recipients.length === 0) {
    // A report whose MIME structure is broken: look for the fields in the text itself.
    const whole = p.raw.toString('utf8', p.root.bodyStart, p.root.bodyStart + MAX_PART_CHARS)
    ds = parseDeliveryStatus(findEmbeddedDeliveryStatus(whole))
  }
  if (ds.recipients.length === 0) return undefined
  const { report } = p
  const fromText = scanReport(report, { excluded: new Set(), failed: [] })
  // With one recipient, the human-readable part is about it (RFC 3464 2: the first part).
  const single = ds.recipients.length === 1
  const about = { replyLines: single ? replyLinesOf(report) : '', report: single ? report : '' }
  const out: ParsedBounce = {
    kind: 'dsn',
    recipients: ds.recipients.map((r) => dsnRecipient(r, fromText, about)),
    ...describeOriginal(originalFields(p.raw, p.root, p)),
  }
  if (ds.envelopeId !== '') out.envelopeId = ds.envelopeId
  return out
}

/** The lines of a report that quote a remote reply ("554 ... Service unavailable"). */
function replyLinesOf(report: string): string {
  const lines = report.split('\n', 500)
  // Sendmail: "----- Transcript of session follows -----" then the exchange, then a blank line.
  const t = lines.findIndex((l) => /transcript of session follows/i.test(l))
  if (t >= 0) {
    const end = lines.findIndex((l, i) => i > t + 1 && l.trim() === '')
    const section = lines.slice(t + 1, end < 0 ? t + 20 : Math.min(end, t + 20))
    if (section.some((l) => l.trim() !== '')) return oneLine(section.join('\n'))
  }
  return oneLine(lines.filter((l) => /^\s*[45]\d\d[ -]/.test(l)).join('\n'))
}

function dsnRecipient(
  r: DsnRecipient,
  fromText: TextRecipient[],
  about: { replyLines: string; report: string },
): BounceRecipient {
  // No Diagnostic-Code: the comment of the Status field, the reply quoted in the
  // human-readable part, the lines about this recipient there, or that whole part when the
  // report has only this recipient (whose Final-Recipient may not even be an address) and
  // the status names no cause (RFC 3463 3.1: X.Y.0 is "other or undefined").
  const vagueStatus = r.status === '' || r.status.endsWith('.0')
  const diagnostic =
    [
      r.diagnostic,
      about.replyLines,
      r.statusText,
      fromText.find((t) => t.recipient === r.recipient)?.diagnostic ?? '',
      vagueStatus ? oneLine(about.report) : '',
    ].find((d) => d !== '') ?? ''
  const fromDiag = statusFromText(diagnostic)
  // RFC 3464 2.3.4: the Status field is the reporting MTA's summary; the code the remote
  // server gave in its reply (same class) is more precise and wins.
  const status = causeOfExpiry(
    r.status === '' || fromDiag.startsWith(r.status.charAt(0)) ? fromDiag || r.status : r.status,
    diagnostic,
  )
  const action = ACTIONS.has(r.action) ? (r.action as BounceRecipient['action']) : ''
  // The command the reply answered: Postfix says it in the human-readable part only.
  const textBlock = fromText.find((t) => t.recipient === r.recipient)?.diagnostic ?? ''
  const command = commandFromText(diagnostic) || commandFromText(textBlock)
  const reason = classifyReason({ status, diagnostic, action, command })
  const out: BounceRecipient = {
    recipient: r.recipient,
    action,
    status,
    diagnostic,
    replyCode:
      r.diagnosticType === 'smtp' || r.diagnosticType === '' ? replyCodeFromText(diagnostic) : '',
    reason,
    hard: isHardBounce(reason, status),
  }
  if (r.remoteMta !== '') out.remoteMta = r.remoteMta
  return out
}

// ---- Amazon SES notifications (JSON) ----

function parseSes(p: Parsed): ParsedBounce | undefined {
  const n = parseSesNotification(p.body)
  if (n === undefined || n.recipients.length === 0) return undefined
  const recipients = n.recipients.map((r): BounceRecipient => {
    if (n.kind === 'complaint') {
      const rec = { ...r, action: '' as const, replyCode: '', reason: 'feedback', hard: false }
      return { ...rec, feedbackType: n.feedbackType }
    }
    const status = statusFromText(r.diagnostic) || r.status
    const action = ACTIONS.has(r.action) ? (r.action as BounceRecipient['action']) : 'failed'
    const reason = classifyReason({ status, diagnostic: r.diagnostic, action })
    const replyCode = replyCodeFromText(r.diagnostic)
    return { ...r, action, status, replyCode, reason, hard: isHardBounce(reason, status) }
  })
  const out: ParsedBounce = { kind: n.kind === 'complaint' ? 'arf' : 'non-standard', recipients }
  if (n.messageId !== '') out.originalMessageId = n.messageId
  return out
}

// ---- auto-replies (RFC 3834) and non-standard bounces ----

function parseOther(p: Parsed): ParsedBounce | undefined {
  const { report } = p
  const evidence = autoReplyEvidence(p.fields)
  const isBounce = looksLikeBounce(p.fields, report)
  if (evidence === 'header' && !isBounce) return autoReply(p, report)
  if (isBounce) {
    const bounce = parseNonStandard(p, report)
    if (bounce !== undefined) return bounce
  }
  if (evidence !== 'none') return autoReply(p, report)
  return undefined
}

function autoReply(p: Parsed, report: string): ParsedBounce {
  const from = findAddresses(fieldValue(p.fields, 'from') ?? '', 1)[0]?.address ?? ''
  return {
    kind: 'auto-reply',
    recipients: [
      {
        recipient: from,
        action: '',
        status: '',
        diagnostic: oneLine(report, 300),
        replyCode: '',
        reason: 'vacation',
        hard: false,
      },
    ],
  }
}

function parseNonStandard(p: Parsed, report: string): ParsedBounce | undefined {
  const orig = originalFields(p.raw, p.root, p)
  const originalFrom = findAddresses(fieldValue(orig, 'from') ?? '', 5).map((a) => a.address)
  const failed = findAddresses(fieldValue(p.fields, 'x-failed-recipients') ?? '', 100).map(
    (a) => a.address,
  )
  let found = scanReport(report, { excluded: excludedAddresses(p.fields, originalFrom), failed })
  if (found.length === 0) {
    // Mail to oneself: the only recipient the report names is the sender (the bounce's To).
    found = scanReport(report, { excluded: new Set(), failed, onlyProminent: true }).slice(0, 1)
  }
  if (found.length === 0) {
    const to = findAddresses(fieldValue(orig, 'to') ?? '', 1)[0]?.address
    if (to === undefined) return undefined
    found.push({
      recipient: to,
      diagnostic: oneLine(report),
      status: statusFromText(report),
      replyCode: replyCodeFromText(report),
    })
  }
  return {
    kind: 'non-standard',
    recipients: found.map((t) => textRecipient(t, report)),
    ...describeOriginal(orig),
  }
}

function textRecipient(t: TextRecipient, report: string): BounceRecipient {
  let { status, diagnostic } = t
  let reason = classifyReason({ status, diagnostic, action: '' })
  if (reason === 'onhold' || reason === 'undefined') {
    // The block says nothing useful: the report as a whole may (a summary before the list).
    const whole = oneLine(report)
    if (status === '') status = statusFromText(whole)
    reason = classifyReason({ status, diagnostic: whole, action: '' })
    if (diagnostic === '') diagnostic = whole
  }
  const isTemporary = status.startsWith('4.') || t.replyCode.startsWith('4')
  return {
    recipient: t.recipient,
    action: reason === 'delivered' ? 'delivered' : isTemporary ? 'delayed' : 'failed',
    status,
    diagnostic,
    replyCode: t.replyCode,
    reason,
    hard: isHardBounce(reason, status),
  }
}
