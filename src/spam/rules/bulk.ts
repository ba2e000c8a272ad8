// Rule family "bulk": how bulk mail that hides its nature differs from honest bulk mail and
// from personal mail. Posts to a discussion list are spared the link and capitals rules.
// - BULK_NO_LIST_HEADERS: opt-out wording ("to be removed", "unsubscribe", "reply REMOVE")
//   without the header fields honest lists and senders carry: List-Unsubscribe (RFC 2369 3.2),
//   List-Id (RFC 2919 2) or Precedence: bulk/list.
// - SUBJECT_RE_NOT_REPLY: a "Re:" subject on a message that answers nothing (no In-Reply-To
//   or References, RFC 5322 3.6.4).
// - FROM_IS_TO: From and the only recipient are the same address (sextortion "I sent this
//   from your own account").
// - MANY_RECIPIENTS: To and Cc list 15 or more addresses.
// - SHORT_WITH_LINK: hardly any words besides one or two links.
// - URL_ABUSED_HOSTING: a link to free web hosting, forms or site builders that phishing uses
//   (src/spam/data/abused-hosts.txt).
// - SUSPICIOUS_TLD: the From domain or a link is under a top-level domain mostly registered
//   for abuse (src/spam/data/suspicious-tlds.txt).
// - HTML_IMAGE_LINK_NO_TEXT: HTML that is a linked image and almost no words.
// - SUBJECT_MONEY: the subject names an amount of 1,000 or more; SUBJECT_FREE: "FREE" in it.
// - BODY_CAPS_LINES: three or more lines of the text in capitals, four words or more each.

import type { SpamHit } from '../signal.ts'
import { countFields, type MessageFacts } from '../message-facts.ts'
import { collectLinks } from './links.ts'
import { countUpTo } from './normalize.ts'
import { splitQuoted } from './quoting.ts'
import { largestAmount } from './scams.ts'
import {
  fromAddress,
  fromDomain,
  isDeliveryReport,
  isDiscussionList,
  isListMail,
  recipientAddresses,
} from './senders.ts'
import { ruleHit } from './types.ts'
import { dataList } from './data-list.ts'

const OPT_OUT =
  /\b(?:unsubscribe|opt[- ]?out|to be removed|be removed from|remove you from|removed from (?:our|this|the) (?:mailing )?list|stop receiving|no longer wish to receive|reply (?:with )?"?remove|reply "?stop|abmelden|abbestellen|d[ée]sinscri|d[ée]sabonner|darse de baja|darte de baja)/i

const FOOTER = 4000
/** Fewer words than this around a link make a message "short". */
const SHORT_WORDS = 12

function bulkWithoutHeaders(facts: MessageFacts): SpamHit | undefined {
  if (isListMail(facts)) return undefined
  if (isDeliveryReport(facts)) return undefined
  // Opt-out wording sits in the footer: the last FOOTER characters of each part are read.
  const text = `${facts.plainText.slice(-FOOTER)}\n${facts.htmlText.slice(-FOOTER)}`
  const m = OPT_OUT.exec(text)
  if (m === null) return undefined
  return ruleHit(
    'BULK_NO_LIST_HEADERS',
    1.0,
    `opt-out wording ("${m[0]}") without List-Unsubscribe or List-Id fields`,
  )
}

function headerRules(facts: MessageFacts): SpamHit[] {
  const hits: SpamHit[] = []
  const replying = countFields(facts, 'in-reply-to') > 0 || countFields(facts, 'references') > 0
  if (/^\s*re\s*:/i.test(facts.subject) && !replying) {
    hits.push(ruleHit('SUBJECT_RE_NOT_REPLY', 0.8, 'a "Re:" subject, but it replies to nothing'))
  }
  const rcpts = recipientAddresses(facts)
  const from = fromAddress(facts)
  if (from !== undefined && rcpts.length === 1 && rcpts[0] === from && !replying) {
    hits.push(ruleHit('FROM_IS_TO', 0.7, `sent "from" the recipient's own address (${from})`))
  }
  if (rcpts.length >= 15) {
    hits.push(ruleHit('MANY_RECIPIENTS', 1.0, `${rcpts.length} addresses in To and Cc`))
  }
  if (/\bFREE\b/.test(facts.subject)) {
    hits.push(ruleHit('SUBJECT_FREE', 0.8, 'the subject shouts FREE'))
  }
  const amount = largestAmount(facts.subject)
  if (amount >= 1000) {
    hits.push(ruleHit('SUBJECT_MONEY', 0.8, 'the subject names a sum of money'))
  }
  return hits
}

function linkHygiene(facts: MessageFacts): SpamHit[] {
  const links = collectLinks(facts)
  const hits: SpamHit[] = []
  const tlds = dataList('suspicious-tlds.txt')
  const list = isDiscussionList(facts) ? [] : [...dataList('abused-hosts.txt')]
  const hosted = links.find((l) => list.some((e) => l.host === e || l.host.endsWith(`.${e}`)))
  if (hosted !== undefined) {
    hits.push(
      ruleHit('URL_ABUSED_HOSTING', 1.2, `a link to a free hosting or forms site (${hosted.host})`),
    )
  }
  const hosts = [fromDomain(facts) ?? '', ...links.map((l) => l.host)]
  const odd = hosts.find((h) => tlds.has(h.split('.').pop() ?? ''))
  if (odd !== undefined) {
    hits.push(ruleHit('SUSPICIOUS_TLD', 0.8, `${odd} is under a top-level domain abused by spam`))
  }
  // A list post linking to a site with a line of comment is ordinary.
  if (isDiscussionList(facts)) return hits
  if (links.length > 0 && links.length <= 2 && facts.attachments.length === 0) {
    const text = `${facts.plainText} ${facts.htmlText}`.replace(/\bhttps?:\/\/\S+/gi, ' ')
    const words = countUpTo(text, /\p{L}{2,}/gu, SHORT_WORDS)
    if (words < SHORT_WORDS && splitQuoted(facts).quoted === '') {
      hits.push(ruleHit('SHORT_WITH_LINK', 1.5, `a link with only ${words} words around it`))
    }
  }
  if (facts.hasHtmlPart && facts.images > 0 && links.length > 0) {
    const words = countUpTo(facts.htmlText, /\p{L}{2,}/gu, 8)
    if (words < 8) {
      hits.push(
        ruleHit('HTML_IMAGE_LINK_NO_TEXT', 2.0, `a linked image with ${words} words of text`),
      )
    }
  }
  return hits
}

/** Lines of four or more words all in capitals, the headlines of a sales letter. */
function capsLines(facts: MessageFacts): SpamHit | undefined {
  if (isDiscussionList(facts)) return undefined
  let n = 0
  for (const line of facts.plainText.slice(0, 10_000).split('\n', 500)) {
    if (isCapsLine(line) && ++n >= 3) {
      return ruleHit('BODY_CAPS_LINES', 1.0, 'three or more lines written all in capitals')
    }
  }
  return undefined
}

/** No small letters and four or more space-separated words of capitals ("BEGIN:VCALENDAR" is one). */
function isCapsLine(line: string): boolean {
  // Code and data in capitals (SQL, settings) have punctuation prose does not.
  if (line.length > 300 || /[a-z=;(){}<>_\\[\]]/.test(line)) return false
  let words = 0
  for (const token of line.split(/\s+/)) if (/[A-Z]{2}/.test(token)) words++
  return words >= 4
}

export function bulkRules(facts: MessageFacts): SpamHit[] {
  const hits: SpamHit[] = []
  const caps = capsLines(facts)
  if (caps !== undefined) hits.push(caps)
  const bulk = bulkWithoutHeaders(facts)
  if (bulk !== undefined) hits.push(bulk)
  hits.push(...headerRules(facts), ...linkHygiene(facts))
  return hits
}
