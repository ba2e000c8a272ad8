// Rule family "phishing": mail that borrows a brand or threatens an account to harvest
// credentials. Links quoted in a reply or forward, and those of posts to a discussion list,
// are not held against the message (its From domain still is).
// - BRAND_LOOKALIKE_DOMAIN: the From domain or a link's host wears a brand's name
//   (src/spam/data/brands.json; digits and look-alike letters undone: "amaz0n", "paypal-
//   resolution-center.com", "icloud-id-verify.net") on a domain the brand does not own.
//   A brand owns the domains listed for it and any registrable domain named exactly after it
//   under any suffix (amazon.co.jp, google.de).
// - DOMAIN_SECURITY_WORDS: the From domain or a link's registrable domain is a hyphenated
//   name built of security or account words ("secure-verify", "billing-update",
//   "account-review"): made for a campaign, unlike a company's own name.
// - ACCOUNT_THREAT_LINK: the text threatens an account, password, mailbox or payment
//   (suspended, locked, expires, declined, verify...) and links to a site other than the
//   sender's own domain. A genuine security notice links to its own site.

import type { SpamHit } from '../signal.ts'
import type { MessageFacts } from '../message-facts.ts'
import { bareLinks, collectLinks, registrableDomain, type ParsedLink } from './links.ts'
import { normalizeText } from './normalize.ts'
import { splitQuoted } from './quoting.ts'
import { fromDomain, isDeliveryReport, isDiscussionList } from './senders.ts'
import { brandTable } from './brands.ts'
import { ruleHit } from './types.ts'

const MAX_HOSTS = 100
/** Phishing threatens early: the first MAX_TEXT characters are read for the threat. */
const MAX_TEXT = 5_000

/** RFC 2606 2, 3: names reserved for documentation and tests; nobody can phish from them. */
const RESERVED = /(?:^|\.)(?:example\.(?:com|net|org)|example|test|invalid|localhost)$/

/** Labels but the last, each de-obfuscated with its hyphens removed ("amaz0n-support" -> amazonsupport). */
function hostLabels(host: string): { label: string; words: string[] }[] {
  return host
    .split('.')
    .slice(0, -1)
    .map((l) => {
      const words = normalizeText(l.replace(/-+/g, ' ')).tokens
      return { label: words.join(''), words }
    })
}

/**
 * The links the author wrote: in a reply or forward, not those of the quoted text; in a post
 * to a discussion list, none (people link to sites about brands and accounts all the time).
 */
function ownLinks(facts: MessageFacts): ParsedLink[] {
  if (isDiscussionList(facts)) return []
  const split = splitQuoted(facts)
  return split.quoted === '' ? collectLinks(facts) : bareLinks(split.own)
}

/** The first label of the registrable domain ("paypal-resolution-center" of ...center.com). */
function mainLabel(host: string): string {
  return registrableDomain(host).split('.')[0] ?? ''
}

function ownedByABrand(host: string, site: string, main: string): boolean {
  return brandTable().some(
    (b) =>
      b.names.includes(main) ||
      b.domains.some((d) => site === d || host === d || host.endsWith(`.${d}`)),
  )
}

/** The brand a host imitates, or undefined (a brand's own domains imitate nothing). */
export function imitatedBrand(host: string): string | undefined {
  const h = host.toLowerCase().replace(/\.$/, '')
  if (h === '' || !/[a-z]/.test(h) || RESERVED.test(h)) return undefined
  const site = registrableDomain(h)
  const main = mainLabel(h)
  if (ownedByABrand(h, site, main)) return undefined
  const labels = hostLabels(h)
  for (const brand of brandTable()) {
    for (const name of brand.names) {
      const compact = name.replace(/ /g, '')
      const found = labels.some(
        (l) => l.words.includes(name) || (compact.length >= 6 && l.label.includes(compact)),
      )
      if (found) return brand.key
    }
  }
  return undefined
}

export function brandLookalike(facts: MessageFacts): SpamHit | undefined {
  const hosts = new Set<string>()
  const from = fromDomain(facts)
  if (from !== undefined) hosts.add(from)
  for (const l of ownLinks(facts)) {
    if (hosts.size >= MAX_HOSTS) break
    if (l.host !== '') hosts.add(l.host)
  }
  for (const host of hosts) {
    const brand = imitatedBrand(host)
    if (brand !== undefined) {
      return ruleHit(
        'BRAND_LOOKALIKE_DOMAIN',
        2.5,
        `${host} wears the name of ${brand} but is not one of its domains`,
      )
    }
  }
  return undefined
}

const SECURITY_WORDS = new Set([
  'secure',
  'security',
  'verify',
  'verification',
  'update',
  'login',
  'signin',
  'account',
  'accounts',
  'alert',
  'alerts',
  'billing',
  'support',
  'service',
  'notice',
  'notify',
  'notification',
  'portal',
  'auth',
  'wallet',
  'recovery',
  'unlock',
  'confirm',
  'redelivery',
  'tracking',
  'parcel',
  'helpdesk',
  'review',
  'sicherheit',
  'securite',
  'suivi',
  'livraison',
])

/** A hyphenated registrable name with a security word ("chase-secure-verify.com"). */
export function securityWordsDomain(host: string): string | undefined {
  const main = mainLabel(host)
  if (!main.includes('-')) return undefined
  const word = main.split('-').find((w) => SECURITY_WORDS.has(w))
  return word === undefined ? undefined : registrableDomain(host)
}

function securityDomain(facts: MessageFacts): SpamHit | undefined {
  const hosts = [fromDomain(facts) ?? '', ...ownLinks(facts).map((l) => l.host)]
  for (const host of hosts.slice(0, MAX_HOSTS)) {
    const site = host === '' ? undefined : securityWordsDomain(host)
    if (site !== undefined) {
      return ruleHit(
        'DOMAIN_SECURITY_WORDS',
        1.2,
        `${site} is a name made of security or account words`,
      )
    }
  }
  return undefined
}

/** What a threat is about (en, de, fr, es). */
const THREATENED =
  /\b(account|password|mailbox|payment|billing|card|identity|membership|subscription|login|konto|zugang|compte|cuenta)\b/i
/** What is threatened: suspension, expiry, decline, strange activity. */
const THREAT =
  /\b(suspended|locked|limited|expire[sd]?|expiration|declined|disabled|closed|deleted|terminated|cancell?ed|unusual|suspicious|unauthori[sz]ed|gesperrt|suspendu|bloqu[eé]|suspendida|bloqueada)\b/i

/** Threat wording about an account plus a link away from the sender's own site. */
export function accountThreatLink(facts: MessageFacts): SpamHit | undefined {
  // Someone who forwards or quotes a phishing mail to ask about it is not phishing.
  if (splitQuoted(facts).quoted !== '' || isDeliveryReport(facts) || isDiscussionList(facts)) {
    return undefined
  }
  const from = fromDomain(facts)
  const own = from === undefined ? '' : registrableDomain(from)
  const away = collectLinks(facts).find((l) => l.host !== '' && registrableDomain(l.host) !== own)
  if (away === undefined) return undefined
  const text = `${facts.subject}\n${facts.plainText}\n${facts.htmlText}`.slice(0, MAX_TEXT)
  const subject = THREATENED.exec(text)?.[1]?.toLowerCase()
  const threat = THREAT.exec(text)?.[1]?.toLowerCase()
  if (subject === undefined || threat === undefined) return undefined
  return ruleHit(
    'ACCOUNT_THREAT_LINK',
    1.5,
    `says the ${subject} is ${threat} and links to ${away.host}, not to ${own || 'the sender'}`,
  )
}

export function phishingRules(facts: MessageFacts): SpamHit[] {
  const hits: SpamHit[] = []
  const lookalike = brandLookalike(facts)
  if (lookalike !== undefined) hits.push(lookalike)
  const security = securityDomain(facts)
  if (security !== undefined) hits.push(security)
  const threat = accountThreatLink(facts)
  if (threat !== undefined) hits.push(threat)
  return hits
}
