// The Bayesian classifier's tokenizer: turns a message into the distinct tokens whose spam and
// ham counts the classifier keeps (Graham's "A Plan for Spam", as SpamAssassin and bogofilter
// do). Works on the decoded message (src/mail/search-text.ts: encoded words, transfer
// encodings and charsets undone, HTML reduced to text):
//
// - selected header fields, each word prefixed by its field ("subject:cheap", "from:example.org")
//   so the same word in a Subject and in the body counts apart;
// - body words, lower-cased, 3 to 24 characters (a longer one becomes "skip:<first letter>
//   <length/10>", as Graham and SpamAssassin do, so random strings still count a little);
// - URLs (in the decoded text parts, HTML href attributes included) become their host and
//   its last two labels ("url:www.example.org", "url:example.org").
//
// Pure and bounded: at most MAX_TOKENS distinct tokens and MAX_BODY_CHARS of body text per
// message; never throws.
import { extractSearchText, headerFields } from '../../mail/search-text.ts'
import { parseMimeTree, walkParts } from '../../mail/mime-tree.ts'
import { decodeTransfer } from '../../mail/transfer-decoding.ts'

export const MAX_TOKENS = 3000
const MAX_BODY_CHARS = 200_000
const MAX_RAW_URL_BYTES = 300_000
const MAX_PARTS = 100
const MIN_WORD = 3
const MAX_WORD = 24

/** Header fields tokenized, and the prefix their words get. */
const HEADER_PREFIX: Readonly<Record<string, string>> = {
  subject: 'subject',
  from: 'from',
  'reply-to': 'reply-to',
  to: 'to',
  'content-type': 'ct',
  'x-mailer': 'mailer',
  'user-agent': 'mailer',
  'list-unsubscribe': 'list-unsub',
  precedence: 'precedence',
  'message-id': 'mid',
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'$€£%.-]*/gu
const URL = /\bhttps?:\/\/([a-z0-9.-]{1,253})/gi

export function tokenize(raw: Buffer): string[] {
  const tokens = new Set<string>()
  const text = extractSearchText(raw)
  for (const field of headerFields(text.header)) {
    const prefix = HEADER_PREFIX[field.name.toLowerCase()]
    if (prefix === undefined) continue
    addWords(tokens, field.value, `${prefix}:`)
    if (prefix === 'from' || prefix === 'reply-to' || prefix === 'mid') {
      for (const m of field.value.matchAll(/@([a-z0-9.-]+)/gi)) {
        tokens.add(`${prefix}-domain:${(m[1] ?? '').toLowerCase()}`)
      }
    }
  }
  const body = text.body.slice(0, MAX_BODY_CHARS)
  addUrls(tokens, body)
  // href targets hidden behind anchor text are only in the HTML source.
  for (const source of textSources(raw)) addUrls(tokens, source)
  addWords(tokens, body.replace(URL, ' '), '')
  return [...tokens]
}

function addWords(tokens: Set<string>, text: string, prefix: string): void {
  for (const m of text.matchAll(WORD)) {
    if (tokens.size >= MAX_TOKENS) return
    const word = m[0].replace(/[.'-]+$/, '').toLowerCase()
    if (word.length < MIN_WORD) continue
    if (word.length > MAX_WORD) {
      tokens.add(`${prefix}skip:${word[0] ?? ''}${String(Math.floor(word.length / 10) * 10)}`)
      continue
    }
    tokens.add(prefix + word)
  }
}

function addUrls(tokens: Set<string>, text: string): void {
  for (const m of text.matchAll(URL)) {
    if (tokens.size >= MAX_TOKENS) return
    const host = (m[1] ?? '').toLowerCase().replace(/\.+$/, '')
    if (host === '') continue
    tokens.add(`url:${host}`)
    const labels = host.split('.')
    if (labels.length > 2) tokens.add(`url:${labels.slice(-2).join('.')}`)
  }
}

/** The domains of the URLs of a message's body (for URI blocklists), at most `max`. */
export function urlDomains(raw: Buffer, max: number): string[] {
  const tokens = new Set<string>()
  for (const source of textSources(raw)) addUrls(tokens, source)
  const hosts = new Set<string>()
  for (const t of tokens) {
    if (hosts.size >= max) break
    hosts.add(t.slice(4))
  }
  return [...hosts]
}

/** The text parts (HTML source included) with their transfer encoding undone, bounded. */
function textSources(raw: Buffer): string[] {
  const out: string[] = []
  let left = MAX_RAW_URL_BYTES
  walkParts(parseMimeTree(raw, { maxParts: MAX_PARTS }).root, (part) => {
    if (part.contentType.type !== 'text' || left <= 0) return
    const end = Math.min(part.bodyEnd, part.bodyStart + left)
    const body = raw.subarray(part.bodyStart, end)
    left -= body.length
    const decoded = decodeTransfer(body, part.transferEncoding) ?? body
    out.push(decoded.toString('latin1'))
  })
  return out
}
