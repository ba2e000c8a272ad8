// Rule family "links": the URLs of a message (HTML hrefs and bare URLs in the text) and what
// they hide: IP-literal hosts, URL shorteners (src/spam/data/url-shorteners.txt), anchor text
// that shows one domain while the href goes to another, credentials-style "user@host" URLs,
// data: and javascript: links, hosts written in %-escapes, and mail that is mostly links with
// little text.

import { isIP } from 'node:net'
import type { SpamHit } from '../signal.ts'
import type { MessageFacts } from '../message-facts.ts'
import { countUpTo } from './normalize.ts'
import { ruleHit } from './types.ts'
import { dataList } from './data-list.ts'
import { organizationalDomain } from '../../email-auth/org-domain.ts'

const MAX_URLS = 500
/** Bare URLs in text: scheme, then anything up to whitespace or a delimiter. */
const BARE_URL = /\bhttps?:\/\/[^\s<>"'()]{1,2000}/gi
/** Text in an anchor that names a host: "www.bank.com", "https://bank.com/login". */
const SHOWN_HOST = /^(?:https?:\/\/)?((?:[a-z0-9-]{1,63}\.)+[a-z]{2,24})(?:[/:?#]\S*)?$/i
/** A percent-escape in the authority of an http(s) URL. */
const ENCODED_HOST = /^\s*https?:\/\/[^/?#\s]{0,300}%[0-9a-f]{2}/i
/**
 * The registrable domain of a host by the Public Suffix List (the Organizational Domain of
 * email-auth/org-domain.ts); the host itself when it is a public suffix or not a valid name.
 */
export function registrableDomain(host: string): string {
  return organizationalDomain(host) ?? host.toLowerCase().replace(/\.$/, '')
}

/** scheme://[userinfo@]host followed by the end, a port, a path, a query or a fragment. */
const PLAIN_AUTHORITY =
  /^\s*https?:\/\/([^@/?#\s]*@)?([a-z0-9-]+(?:\.[a-z0-9-]+)*)\.?(?=[:/?#]|\s*$)/i

export interface ParsedLink {
  href: string
  text: string
  scheme: string
  host: string
  hasUserinfo: boolean
}

function parseLink(href: string, text: string): ParsedLink | undefined {
  const scheme = (/^\s*([a-z][a-z0-9+.-]*):/i.exec(href)?.[1] ?? '').toLowerCase()
  if (scheme === 'data' || scheme === 'javascript' || scheme === 'vbscript') {
    return { href, text, scheme, host: '', hasUserinfo: false }
  }
  if (scheme !== 'http' && scheme !== 'https') return undefined
  // Fast path for ordinary names; anything odd (numeric or encoded hosts, IDN) goes to the
  // WHATWG parser, which also turns "http://3232235777/" into the IP it is.
  const plain = PLAIN_AUTHORITY.exec(href)
  if (plain !== null && /[a-z]/i.test(plain[2] ?? '') && !/^[0-9.]+$|0x/i.test(plain[2] ?? '')) {
    return {
      href,
      text,
      scheme,
      host: (plain[2] ?? '').toLowerCase(),
      hasUserinfo: plain[1] !== undefined,
    }
  }
  try {
    const url = new URL(href.trim())
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
    return { href, text, scheme, host, hasUserinfo: url.username !== '' }
  } catch {
    return undefined
  }
}

const collected = new WeakMap<MessageFacts, ParsedLink[]>()

/** Every link of the message (HTML hrefs, then bare URLs of the text), parsed once per message. */
export function collectLinks(facts: MessageFacts): ParsedLink[] {
  const cached = collected.get(facts)
  if (cached !== undefined) return cached
  const links: ParsedLink[] = []
  for (const l of facts.links.slice(0, MAX_URLS)) {
    const parsed = parseLink(l.href, l.text)
    if (parsed !== undefined) links.push(parsed)
  }
  links.push(...bareLinks(facts.plainText))
  collected.set(facts, links)
  return links
}

/** The bare http(s) URLs of a text (at most MAX_URLS). */
export function bareLinks(text: string): ParsedLink[] {
  const links: ParsedLink[] = []
  let count = 0
  for (const m of text.matchAll(BARE_URL)) {
    if (++count > MAX_URLS) break
    const parsed = parseLink(m[0].replace(/[.,;:!?]+$/, ''), '')
    if (parsed !== undefined) links.push(parsed)
  }
  return links
}

function words(text: string, max: number): number {
  return countUpTo(text, /\p{L}{2,}/gu, max)
}

export function linkRules(facts: MessageFacts): SpamHit[] {
  const links = collectLinks(facts)
  if (links.length === 0) return []
  const hits: SpamHit[] = []
  const ipHosts = links.filter((l) => l.host !== '' && isIP(l.host) !== 0).map((l) => l.host)
  if (ipHosts.length > 0) {
    hits.push(ruleHit('URL_IP_LITERAL', 2.0, `links to a bare IP address (${ipHosts[0] ?? ''})`))
  }
  const short = dataList('url-shorteners.txt')
  const shortened = links.filter((l) => short.has(l.host) || short.has(registrableDomain(l.host)))
  if (shortened.length > 0) {
    const host = shortened[0]?.host ?? ''
    hits.push(ruleHit('URL_SHORTENER', 1.2, `links through a URL shortener (${host})`))
  }
  const scripted = links.find((l) => l.scheme !== 'http' && l.scheme !== 'https')
  if (scripted !== undefined) {
    hits.push(ruleHit('URL_DATA_OR_SCRIPT', 2.5, `a link with a ${scripted.scheme}: URL`))
  }
  const userinfo = links.find((l) => l.hasUserinfo)
  if (userinfo !== undefined) {
    hits.push(
      ruleHit('URL_USERINFO', 2.0, `a link hides its host after a user name (${userinfo.host})`),
    )
  }
  // RFC 3986 3.2.2: a registered name may be percent-encoded, which no honest sender needs.
  const encoded = links.find((l) => ENCODED_HOST.test(l.href))
  if (encoded !== undefined) {
    hits.push(
      ruleHit('URL_ENCODED_HOST', 2.0, `a link spells its host in %-escapes (${encoded.host})`),
    )
  }
  const mismatch = anchorMismatch(links)
  if (mismatch !== undefined) {
    hits.push(
      ruleHit(
        'URL_ANCHOR_MISMATCH',
        3.0,
        `a link shows ${mismatch.shown} but goes to ${mismatch.host}`,
        mismatch,
      ),
    )
  }
  // Words are counted only as far as the ratio needs (at most 8 per link).
  const text =
    links.length >= 3 ? words(`${facts.plainText} ${facts.htmlText}`, links.length * 8) : 0
  if (links.length >= 3 && text < links.length * 8) {
    hits.push(
      ruleHit('URL_HIGH_RATIO', 1.0, `mostly links: ${links.length} links for ${text} words`),
    )
  }
  const hosts = new Set(links.map((l) => registrableDomain(l.host)))
  if (hosts.size >= 15) {
    hits.push(ruleHit('URL_MANY_DOMAINS', 0.8, `links to ${hosts.size} different domains`))
  }
  return hits
}

function anchorMismatch(links: readonly ParsedLink[]): { shown: string; host: string } | undefined {
  for (const l of links) {
    if (l.host === '' || l.text === '') continue
    const shown = SHOWN_HOST.exec(l.text.trim())?.[1]?.toLowerCase()
    if (shown === undefined || !/[a-z]/.test(shown.split('.').pop() ?? '')) continue
    if (registrableDomain(shown) !== registrableDomain(l.host)) return { shown, host: l.host }
  }
  return undefined
}
