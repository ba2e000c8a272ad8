// Rule family "structure": how the message is built rather than what it says. HTML without a
// text alternative, text hidden from the reader, missing Date or Message-ID (RFC 5322 3.6:
// every message has an origination date; 3.6.4: it should have a Message-ID), malformed
// header blocks (RFC 5322 2.2 field syntax, 3.6 field counts), a display name showing another
// address or a brand the address does not belong to, shouting or punctuation-heavy subjects,
// runs of exclamation marks, and Unicode tricks (invisible characters, mixed scripts).

import { parseAddressList } from '../../mail/address-list.ts'
import type { SpamHit } from '../signal.ts'
import { countFields, header, type MessageFacts } from '../message-facts.ts'
import { registrableDomain } from './links.ts'
import { brandTable } from './brands.ts'
import { countUpTo, INVISIBLE_CHARS, normalizeText } from './normalize.ts'
import { ruleHit } from './types.ts'

/** RFC 5322 3.6: fields that may occur at most once. */
const SINGLE_FIELDS = ['from', 'sender', 'reply-to', 'to', 'cc', 'subject', 'date', 'message-id']
const MIN_HIDDEN_LETTERS = 20

export function structureRules(facts: MessageFacts): SpamHit[] {
  const hits: SpamHit[] = []
  // HTML of text, or of images only, with no text alternative.
  const htmlContent = facts.htmlText.trim() !== '' || facts.images > 0
  if (facts.hasHtmlPart && !facts.hasTextPart && htmlContent) {
    hits.push(ruleHit('HTML_ONLY', 0.7, 'HTML without a plain-text alternative'))
  }
  const hiddenLetters = (facts.hiddenText.match(/\p{L}/gu) ?? []).length
  if (hiddenLetters >= MIN_HIDDEN_LETTERS) {
    hits.push(
      ruleHit('HTML_HIDDEN_TEXT', 2.5, `text invisible to the reader (${hiddenLetters} letters)`, {
        sample: facts.hiddenText.replace(/\s+/g, ' ').trim().slice(0, 80),
      }),
    )
  }
  if (countFields(facts, 'date') === 0) {
    hits.push(ruleHit('MISSING_DATE', 1.0, 'no Date header field'))
  }
  if (countFields(facts, 'message-id') === 0) {
    hits.push(ruleHit('MISSING_MESSAGE_ID', 1.0, 'no Message-ID header field'))
  }
  const messageId = header(facts, 'message-id')
  if (messageId !== undefined && !/^<[^<>@\s]+@[^<>@\s]+>$/.test(messageId.trim())) {
    hits.push(ruleHit('MALFORMED_MESSAGE_ID', 0.7, 'the Message-ID is not <id@domain>'))
  }
  const replyTo = replyToFreemail(facts)
  if (replyTo !== undefined) hits.push(replyTo)
  const malformed = malformedHeader(facts)
  if (malformed !== undefined) hits.push(ruleHit('MALFORMED_HEADER', 1.5, malformed))
  const spoof = displayNameSpoof(facts.from)
  if (spoof !== undefined) hits.push(spoof)
  hits.push(...subjectRules(facts.subject))
  const body = `${facts.plainText} ${facts.htmlText}`
  const bangs = countChar(body, '!', 1000)
  const bangRuns = countUpTo(body, /!{3,}/g, 100)
  if (bangs >= 15 || bangRuns >= 3) {
    hits.push(ruleHit('EXCESSIVE_EXCLAMATION', 1.0, `${bangs} exclamation marks in the text`))
  }
  hits.push(...shoutingRules(facts))
  const bodyTricks = unicodeTricks(body)
  if (bodyTricks !== undefined) hits.push(ruleHit('BODY_UNICODE_TRICKS', 1.5, `text ${bodyTricks}`))
  return hits
}

function malformedHeader(facts: MessageFacts): string | undefined {
  const lines = facts.headerBytes.toString('latin1').split(/\r?\n/)
  let bad = 0
  for (const line of lines.slice(0, 2000)) {
    if (line === '' || line.startsWith(' ') || line.startsWith('\t')) continue
    if (!/^[!-9;-~]+[ \t]*:/.test(line)) bad++
  }
  if (bad > 0) return `${bad} header line(s) that are not "Name: value" fields`
  for (const name of SINGLE_FIELDS) {
    if (countFields(facts, name) > 1) return `the ${name} field occurs more than once`
  }
  if (facts.from.trim() !== '') {
    const boxes = fromMailboxes(facts.from)
    if (boxes.length === 0 || boxes.some((b) => b.domain === null || b.localPart === null)) {
      return 'the From field has no valid address'
    }
  } else if (countFields(facts, 'from') === 0) {
    return 'no From field'
  }
  return undefined
}

function fromMailboxes(
  value: string,
): { name: string | null; localPart: string | null; domain: string | null }[] {
  const out = []
  for (const e of parseAddressList(value.slice(0, 2000))) {
    if (e.kind === 'mailbox') {
      out.push({
        name: e.mailbox.nameDecoded,
        localPart: e.mailbox.localPart,
        domain: e.mailbox.domain,
      })
    }
  }
  return out
}

/** "PayPal <x@evil.test>" or "support@bank.com <x@evil.test>". */
function displayNameSpoof(from: string): SpamHit | undefined {
  const box = fromMailboxes(from)[0]
  if (box?.name == null || box.domain === null) return undefined
  const domain = box.domain.toLowerCase()
  const site = registrableDomain(domain)
  const shownAddress = /[a-z0-9._%+-]+@((?:[a-z0-9-]+\.)+[a-z]{2,})/i.exec(box.name)?.[1]
  if (shownAddress !== undefined && registrableDomain(shownAddress) !== site) {
    return ruleHit(
      'FROM_DISPLAY_ADDRESS',
      3.0,
      `the sender's name shows an address at ${shownAddress.toLowerCase()} but the mail is from ${domain}`,
    )
  }
  // Look-alike letters and digits undone: "ΡауРаl" (Cyrillic) and "PayPa1" read "paypal".
  const name = ` ${normalizeText(box.name.slice(0, 200)).tokens.join(' ')} `
  for (const { key: brand, domains } of brandTable()) {
    if (!name.includes(` ${brand} `)) continue
    const own = domains.some((d) => domain === d || domain.endsWith(`.${d}`))
    if (own || site.includes(brand.replace(/ /g, ''))) continue
    return ruleHit(
      'FROM_BRAND_MISMATCH',
      2.5,
      `the sender's name says "${brand}" but the mail is from ${domain}`,
    )
  }
  return undefined
}

function subjectRules(subject: string): SpamHit[] {
  const hits: SpamHit[] = []
  if (isAllCaps(subject)) {
    hits.push(ruleHit('SUBJECT_ALL_CAPS', 1.0, 'the subject is in capitals'))
  }
  const marks = (subject.match(/[!?$€£%*]/g) ?? []).length
  if (marks >= 3 || /[!?]{2,}/.test(subject)) {
    hits.push(
      ruleHit('SUBJECT_PUNCTUATION', 1.0, `the subject is heavy with punctuation (${marks})`),
    )
  }
  const tricks = unicodeTricks(subject)
  if (tricks !== undefined)
    hits.push(ruleHit('SUBJECT_UNICODE_TRICKS', 2.0, `the subject ${tricks}`))
  return hits
}

/** Invisible characters, mathematical/fullwidth letters, or words mixing Latin with Cyrillic/Greek. */
export function unicodeTricks(text: string): string | undefined {
  const sample = text.slice(0, 100_000)
  // Zero-width characters inside a word (not emoji joiners between symbols).
  const invisible = /[\u00ad\u200b-\u200d\u2060\ufeff]/.test(sample)
  if (invisible && /\p{L}[\u00ad\u200b-\u200d\u2060\ufeff]+\p{L}/u.test(sample)) {
    return 'hides invisible characters inside words'
  }
  if (/[\u202a-\u202e\u2066-\u2069]/.test(sample)) return 'contains text-direction overrides'
  const styled = !/[\ud835\uff21-\uff5a]/.test(sample)
    ? null
    : sample.match(/[\u{1d400}-\u{1d7ff}\uff21-\uff5a]/gu)
  if (styled !== null && styled.length >= 3) return 'uses styled look-alike letters'
  if (!/[\u0370-\u03ff\u0400-\u052f]/.test(sample)) return undefined // no Greek or Cyrillic
  for (const word of sample.match(/[\p{L}\p{M}]{3,}/gu)?.slice(0, 5000) ?? []) {
    const latin = /\p{Script=Latin}/u.test(word)
    if (latin && /[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(word)) {
      return `mixes look-alike letters of other scripts ("${word.replace(INVISIBLE_CHARS, '')}")`
    }
  }
  return undefined
}

/** Text mostly in capitals, HTML that is images with hardly any text, and forged mailers. */
function shoutingRules(facts: MessageFacts): SpamHit[] {
  const hits: SpamHit[] = []
  const text = `${facts.plainText} ${facts.htmlText}`.slice(0, 30_000)
  const { letters, upper } = letterCounts(text)
  if (letters >= 200 && upper / letters >= 0.6) {
    hits.push(
      ruleHit(
        'BODY_SHOUTING',
        1.5,
        `the text is mostly capitals (${Math.round((100 * upper) / letters)}%)`,
      ),
    )
  }
  const words = facts.images > 0 ? countUpTo(text, /\p{L}{2,}/gu, 25) : Infinity
  if (facts.hasHtmlPart && words < 25) {
    hits.push(
      ruleHit('HTML_IMAGE_ONLY', 1.5, `HTML of ${facts.images} image(s) and ${words} words`),
    )
  }
  const mailer = header(facts, 'x-mailer') ?? ''
  if (/outlook/i.test(mailer) && facts.hasHtmlPart && !facts.hasTextPart) {
    hits.push(
      ruleHit('FORGED_OUTLOOK_HTML', 1.0, 'claims to be Outlook, which always sends a text part'),
    )
  }
  const shouted = facts.subject.match(/\b\p{Lu}{4,}\b/gu) ?? []
  if (shouted.length >= 2 && !isAllCaps(facts.subject)) {
    hits.push(
      ruleHit(
        'SUBJECT_SHOUTING_WORDS',
        0.8,
        `shouted words in the subject (${shouted.slice(0, 3).join(', ')})`,
      ),
    )
  }
  return hits
}

const FREEMAIL = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'yahoo.de',
  'ymail.com',
  'hotmail.com',
  'hotmail.fr',
  'outlook.com',
  'live.com',
  'msn.com',
  'aol.com',
  'mail.com',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'yandex.ru',
  'yandex.com',
  'mail.ru',
  'proton.me',
  'protonmail.com',
  'icloud.com',
  'zoho.com',
  'qq.com',
  '163.com',
  'rocketmail.com',
])

/** Replies diverted to a free-mail address at another domain: typical of advance-fee fraud. */
function replyToFreemail(facts: MessageFacts): SpamHit | undefined {
  const replyTo = header(facts, 'reply-to')
  if (replyTo === undefined) return undefined
  // A list that rewrites the poster's From (DMARC) sends replies to the poster: that is honest.
  if (countFields(facts, 'list-id') > 0 || countFields(facts, 'list-post') > 0) return undefined
  const to = fromMailboxes(replyTo)[0]?.domain?.toLowerCase()
  const from = fromMailboxes(facts.from)[0]?.domain?.toLowerCase()
  if (to === undefined || from === undefined || !FREEMAIL.has(to)) return undefined
  if (registrableDomain(to) === registrableDomain(from)) return undefined
  return ruleHit(
    'REPLYTO_FREEMAIL',
    1.5,
    `replies go to a free-mail address at ${to}, not to ${from}`,
  )
}

/** Letters and capitals in a text: a loop over char codes, with a regex only for non-ASCII. */
function letterCounts(text: string): { letters: number; upper: number } {
  let letters = 0
  let upper = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x41 && c <= 0x5a) {
      letters++
      upper++
    } else if (c >= 0x61 && c <= 0x7a) letters++
    else if (c > 0x7f) {
      const ch = text[i] ?? ''
      if (/\p{Lu}/u.test(ch)) upper++
      if (/\p{L}/u.test(ch)) letters++
    }
  }
  return { letters, upper }
}

function isAllCaps(subject: string): boolean {
  const { letters, upper } = letterCounts(subject)
  return letters >= 10 && upper / letters >= 0.8
}

function countChar(text: string, ch: string, max: number): number {
  let n = 0
  for (let i = text.indexOf(ch); i !== -1 && n < max; i = text.indexOf(ch, i + 1)) n++
  return n
}
