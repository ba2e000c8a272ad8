// Bounces that are not RFC 3464 DSNs: the plain-text reports of qmail ("Hi. This is the
// qmail-send program"), Exim ("This message was created automatically by mail delivery
// software"), Postfix and Sendmail without DSN, Microsoft Exchange / Office 365 ("Delivery has
// failed to these recipients"), Gmail, Yahoo, Courier, Domino, DragonFly and their kin.
//
// By heuristics, not by MTA: the report text (the part before the copy of the returned
// message) is scanned for recipient addresses that stand out (at the start of a line, after a
// label such as "Recipient:" or "RCPT TO:", or after "delivering your mail to"); the lines
// that follow an address, up to the next one, are its diagnostic: the remote reply with its
// SMTP reply code (RFC 5321 4.2) and enhanced status code (RFC 3463 2) when present.
// Addresses of the people involved (the bounce's own From/To, the original sender) and of
// mailer daemons are never recipients. Work is linear and capped (MAX_LINES, MAX_RECIPIENTS).

import type { HeaderField } from '../mail/header-fields.ts'
import { fieldValue, findAddresses, oneLine } from './message-text.ts'
import { replyCodeFromText, statusFromText } from './reason.ts'

export interface TextRecipient {
  recipient: string
  /** The lines about this recipient, one line. */
  diagnostic: string
  status: string
  replyCode: string
}

/** Most report lines read. */
const MAX_LINES = 3000
/** Lines after an address that belong to it at most. */
const MAX_BLOCK_LINES = 25
const MAX_RECIPIENTS = 500

// Lines that start the copy of the returned message (lower case, after trimming).
const ORIGINAL_MARKERS = [
  '--- below this line is a copy of the message',
  '------ this is a copy of the message',
  '------ this is a copy of your message',
  '----- original message -----',
  '----- original message follows',
  '----- unsent message follows',
  '------ original message',
  '-----original message-----',
  '--- original message',
  'original message follows',
  'original message headers',
  'message headers follow',
  'the original message headers',
  'headers of the original message',
  'below is a copy of the original message',
  'this is a copy of the original message',
  '------ the header of original message',
  'content-type: message/rfc822',
  'content-type: text/rfc822-headers',
  '----- message header follows',
  '----- the header of the original message',
]

// Header fields that begin a returned message when no marker line announces it.
const ORIGINAL_HEADER = /^(received|return-path|dkim-signature|message-id|x-received): /i

const MAILER_LOCALS = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|double-bounce)$/

// Labels before a recipient address on its line (lower case, as found just before it).
const LABELS = [
  'recipient:',
  'recipients:',
  'recipient address:',
  'failed recipient:',
  'rcpt to:',
  'rcpt to: ',
  'to:',
  'address:',
  'addressed to',
  'delivery to',
  'delivering your mail to',
  'delivering to',
  'deliver to',
  'delivered to',
  'deliver your message to',
  'could not be delivered to',
  "couldn't be delivered to",
  'was not delivered to',
  'failed to',
  'following address',
  'following recipient',
  'original-recipient: rfc822;',
  'final-recipient: rfc822;',
  'user',
  'mailbox',
  'to',
]

/** The part of a report text before the copy of the returned message. */
export function reportSection(text: string): string {
  const lines = text.split('\n', MAX_LINES)
  let seenContent = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const t = line.trim().toLowerCase()
    if (t === '') continue
    const isMarker = ORIGINAL_MARKERS.some((m) => t.startsWith(m))
    if (isMarker || (seenContent && ORIGINAL_HEADER.test(line))) {
      return lines.slice(0, i).join('\n')
    }
    seenContent = true
  }
  return lines.join('\n')
}

/** Addresses that are never failed recipients: the people around the report, mailer daemons. */
export function excludedAddresses(fields: readonly HeaderField[], extra: string[]): Set<string> {
  const out = new Set<string>(extra)
  for (const name of ['from', 'to', 'reply-to', 'return-path', 'sender', 'cc']) {
    for (const a of findAddresses(fieldValue(fields, name) ?? '', 50)) out.add(a.address)
  }
  return out
}

function isExcluded(address: string, excluded: Set<string>): boolean {
  if (excluded.has(address)) return true
  const local = address.slice(0, address.indexOf('@'))
  return MAILER_LOCALS.test(local)
}

/** Whether the address at [start,end) of the line stands out as a recipient. */
function isProminent(line: string, start: number, end: number): boolean {
  const before = line
    .slice(Math.max(0, start - 40), start)
    .toLowerCase()
    .replace(/[<"'(\s]+$/, '')
  const after = line.slice(end, end + 3)
  if (before.trim() === '') return true // the address starts the line
  if (/from[:=]?$|sender:?$|envelope-from$|mail from:?$|id$/.test(before)) return false
  if (LABELS.some((l) => before.endsWith(l))) return true
  // "addr: reason"; Sendmail's "<addr>... reason" error lines.
  return /^>?:/.test(after) || /^>?\.\.\./.test(line.slice(end, end + 4))
}

interface Hit {
  address: string
  line: number
  start: number
  end: number
}

/**
 * The recipient addresses of the report, first mention each; `mentions` receives the line of
 * every mention (repeats too): a block about one recipient ends where another recipient is
 * named, even again (a report that lists the failures twice, in two languages or two formats).
 */
function hitsOf(
  lines: string[],
  excluded: Set<string>,
  onlyProminent: boolean,
  mentions: Hit[] = [],
): Hit[] {
  const hits: Hit[] = []
  const seen = new Set<string>()
  for (let i = 0; i < lines.length && hits.length < MAX_RECIPIENTS; i++) {
    const line = lines[i] ?? ''
    if (!line.includes('@')) continue
    for (const a of findAddresses(line, 20)) {
      if (isExcluded(a.address, excluded)) continue
      if (onlyProminent && !isProminent(line, a.start, a.end)) continue
      const hit = { address: a.address, line: i, start: a.start, end: a.end }
      if (mentions.length < MAX_LINES) mentions.push(hit)
      if (seen.has(a.address)) continue
      seen.add(a.address)
      hits.push(hit)
    }
  }
  return hits
}

function blockText(lines: string[], hit: Hit, stop: number): string {
  const line = lines[hit.line] ?? ''
  // "SMTP:RCPT host 192.0.2.8: 553 5.3.0 <a@b>... No such user": the reply starts before it.
  const before = line.slice(Math.max(0, hit.start - 200), hit.start).replace(/[<"'(\s]+$/, '')
  const replyBefore = /\b[45]\d\d[ -]/.exec(before)
  const after = line.slice(hit.end).replace(/^[>:\s]+/, '')
  const first = replyBefore === null ? after : `${before.slice(replyBefore.index)} ${after}`
  const rest = lines.slice(hit.line + 1, Math.min(stop, hit.line + 1 + MAX_BLOCK_LINES))
  return oneLine([first, ...rest].join('\n'))
}

/**
 * Recipients and their diagnostics from a report text. `failed` are addresses the message
 * names as failed (Exim's X-Failed-Recipients): when given, only they are looked for. Without
 * `onlyProminent`, a report that names nobody prominently gives its first address.
 */
export function scanReport(
  report: string,
  options: { excluded: Set<string>; failed: string[]; onlyProminent?: boolean },
): TextRecipient[] {
  const lines = report.split('\n', MAX_LINES)
  let hits: Hit[]
  let mentions: Hit[] = []
  if (options.failed.length > 0) {
    hits = hitsOf(lines, new Set(), false, mentions).filter((h) =>
      options.failed.includes(h.address),
    )
    mentions = mentions.filter((h) => options.failed.includes(h.address))
    for (const addr of options.failed) {
      if (!hits.some((h) => h.address === addr))
        hits.push({ address: addr, line: -1, start: 0, end: 0 })
    }
  } else {
    hits = hitsOf(lines, options.excluded, true, mentions)
    if (hits.length === 0 && options.onlyProminent !== true) {
      hits = hitsOf(lines, options.excluded, false).slice(0, 1)
    }
  }
  const placed = [...hits.filter((h) => h.line >= 0), ...mentions].sort((a, b) => a.line - b.line)
  const whole = oneLine(report)
  return hits.map((hit) => {
    // The block ends where another recipient is named (a repeat of this one may quote it).
    const next = placed.find((h) => h.line > hit.line && h.address !== hit.address)?.line
    const diagnostic = hit.line < 0 ? whole : blockText(lines, hit, next ?? lines.length)
    return {
      recipient: hit.address,
      diagnostic,
      status: statusFromText(diagnostic),
      replyCode: replyCodeFromText(diagnostic),
    }
  })
}

const BOUNCE_SUBJECTS = [
  'undeliver',
  'undelivered',
  'delivery status notification',
  'delivery failure',
  'delivery failed',
  'delivery has failed',
  'delivery notification',
  'delivery problem',
  'mail delivery',
  'failure notice',
  'returned mail',
  'returned to sender',
  'non-delivery',
  'nondeliverable',
  'not delivered',
  'could not be delivered',
  'mail system error',
  'warning: could not send',
  'delayed mail',
  'delivery delayed',
  'message not delivered',
  'undeliverable',
  'failed delivery',
  'rejected',
  'error sending',
  'mail failure',
  'bounce',
  'メールエラー',
  'エラー通知',
  '不達',
  '配信できません',
  '配送エラー',
]

/** Whether a header (and report text) looks like a bounce rather than ordinary mail. */
export function looksLikeBounce(fields: readonly HeaderField[], report: string): boolean {
  const from = (fieldValue(fields, 'from') ?? '').toLowerCase()
  const returnPath = (fieldValue(fields, 'return-path') ?? '').trim()
  const subject = (fieldValue(fields, 'subject') ?? '').toLowerCase()
  if (fieldValue(fields, 'x-failed-recipients') !== undefined) return true
  const fromDaemon =
    /mailer-daemon|postmaster|post_master|mail delivery|mail-daemon|mailerdaemon/.test(from)
  const isBounceSubject = BOUNCE_SUBJECTS.some((s) => subject.includes(s))
  if (fromDaemon && (isBounceSubject || returnPath === '<>')) return true
  if (isBounceSubject && (fromDaemon || returnPath === '<>')) return true
  const text = report.slice(0, 20_000).toLowerCase()
  const quotesFailure =
    /\b[45]\.\d{1,3}\.\d{1,3}\b|user unknown|invalid user|not be delivered|could not deliver|undeliver/.test(
      text,
    )
  // RFC 5321 4.5.5: notifications are sent with a null reverse-path; so are auto-replies
  // (RFC 3834 3.1.5), which say so with "Auto-Submitted: auto-replied" (RFC 3834 5.1).
  const autoReplied = /^\s*auto-replied/i.test(fieldValue(fields, 'auto-submitted') ?? '')
  const nullPath = returnPath === '<>' && !autoReplied
  if ((fromDaemon || nullPath) && quotesFailure) return true
  return (
    isBounceSubject &&
    /(could not|couldn't|was not|unable to|cannot) (be )?deliver|permanent|fatal error|delivery (to|has) failed/.test(
      text,
    )
  )
}
