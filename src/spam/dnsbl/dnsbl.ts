// DNS blocklists (RFC 5782, "DNSxL"): asks the configured lists whether the connecting IP is
// listed (IP lists such as zen.spamhaus.org) and whether the domains of the body's URLs or the
// sender's domain are (domain lists in the DBL / SURBL style), through the injected resolver.
// An A record in 127.0.0.0/8 means "listed"; its TXT record, when there is one, gives the
// reason. Every question runs concurrently under one timeout: a list that does not answer in
// time is no hit (the message is not held up), and a failing list never fails the verdict.
import { isIP } from 'node:net'
import { expandIpv6, isDnsNotFound, type DnsResolver } from '../../dns/resolver.ts'
import { urlDomains } from '../bayes/tokenizer.ts'
import type { SignalInput, SignalSource, SpamHit } from '../signal.ts'

export interface DnsList {
  /** The list's zone ("zen.spamhaus.org"). */
  zone: string
  /** Score a listing adds. */
  weight: number
}

export interface DnsblOptions {
  resolver: DnsResolver
  ipLists: readonly DnsList[]
  domainLists: readonly DnsList[]
  /** The longest all the questions of one message may take together. */
  timeoutMs: number
  /** Most distinct URL domains asked about per message. */
  maxDomains: number
}

/** Parses "zone:weight" (weight optional, default 1), as the dnsbl.*_lists keys hold them. */
export function parseDnsList(spec: string): DnsList {
  const cut = spec.lastIndexOf(':')
  const weight = cut === -1 ? NaN : Number(spec.slice(cut + 1))
  if (cut === -1 || !Number.isFinite(weight)) return { zone: normalise(spec), weight: 1 }
  return { zone: normalise(spec.slice(0, cut)), weight }
}

function normalise(zone: string): string {
  return zone
    .trim()
    .toLowerCase()
    .replace(/^\.+|\.+$/g, '')
}

/** The name to ask an IP list about, or undefined for what is not an IP. */
export function ipQueryName(ip: string, zone: string): string | undefined {
  const bare = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip
  const family = isIP(bare)
  // RFC 5782 2.1: the octets in reverse order, then the list's domain.
  if (family === 4) return `${bare.split('.').reverse().join('.')}.${zone}`
  // RFC 5782 2.4: 32 nibbles of the address in reverse order, then the list's domain.
  if (family === 6) {
    const nibbles = expandIpv6(bare.toLowerCase()).replace(/:/g, '').split('').reverse()
    return `${nibbles.join('.')}.${zone}`
  }
  return undefined
}

interface Question {
  name: string
  list: DnsList
  /** What was asked about: the IP or the domain. */
  subject: string
  kind: 'ip' | 'domain'
}

export class DnsBlocklists implements SignalSource {
  readonly name = 'dnsbl'
  readonly #opts: DnsblOptions

  constructor(opts: DnsblOptions) {
    this.#opts = opts
  }

  get isEmpty(): boolean {
    return this.#opts.ipLists.length === 0 && this.#opts.domainLists.length === 0
  }

  async evaluate(input: SignalInput): Promise<SpamHit[]> {
    if (this.isEmpty) return []
    const questions = this.#questions(input)
    const timer = new AbortController()
    const timedOut = new Promise<'timeout'>((resolve) => {
      const handle = setTimeout(() => {
        resolve('timeout')
      }, this.#opts.timeoutMs)
      timer.signal.addEventListener('abort', () => {
        clearTimeout(handle)
      })
    })
    const answers = questions.map(async (q) => {
      const answer = await Promise.race([this.#ask(q), timedOut])
      return answer === 'timeout' ? [] : answer
    })
    try {
      return (await Promise.all(answers)).flat()
    } finally {
      timer.abort()
    }
  }

  #questions(input: SignalInput): Question[] {
    const out: Question[] = []
    // A submitting user's own address (a home connection on a policy list) says nothing
    // about the message: the pre-flight asks only the domain lists.
    const ipLists = input.direction === 'outbound' ? [] : this.#opts.ipLists
    for (const list of ipLists) {
      const name = ipQueryName(input.clientIp, list.zone)
      if (name !== undefined) out.push({ name, list, subject: input.clientIp, kind: 'ip' })
    }
    if (this.#opts.domainLists.length === 0) return out
    const domains = new Set(urlDomains(input.raw, this.#opts.maxDomains))
    const sender = input.mailFrom.slice(input.mailFrom.lastIndexOf('@') + 1).toLowerCase()
    if (input.mailFrom.includes('@') && sender !== '') domains.add(sender)
    for (const domain of domains) {
      if (isIP(domain) !== 0 || !domain.includes('.')) continue
      for (const list of this.#opts.domainLists) {
        out.push({ name: `${domain}.${list.zone}`, list, subject: domain, kind: 'domain' })
      }
    }
    return out
  }

  async #ask(q: Question): Promise<SpamHit[]> {
    let addresses: string[]
    try {
      addresses = await this.#opts.resolver.a(q.name)
    } catch (err) {
      if (isDnsNotFound(err)) return [] // not listed
      return [] // a list that fails says nothing
    }
    // RFC 5782 2.1: listings answer with addresses in 127.0.0.0/8; anything else (a resolver
    // that rewrites NXDOMAIN, or a list's "query refused" code 127.255.255.x) is no listing.
    const codes = addresses.filter((a) => a.startsWith('127.') && !a.startsWith('127.255.'))
    if (codes.length === 0) return []
    const reason = await this.#reason(q.name)
    const what = q.kind === 'ip' ? `IP ${q.subject}` : `domain ${q.subject}`
    return [
      {
        rule: `DNSBL_${q.list.zone.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`,
        source: 'dnsbl',
        score: q.list.weight,
        reason: `${what} is listed on ${q.list.zone} (${codes.join(', ')})${reason}`,
        detail: { zone: q.list.zone, subject: q.subject, kind: q.kind, codes },
      },
    ]
  }

  /** RFC 5782 2.1: the TXT record at the same name explains the listing. */
  async #reason(name: string): Promise<string> {
    try {
      const txt = (await this.#opts.resolver.txt(name)).map((parts) => parts.join(''))
      const first = txt[0]?.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)
      return first === undefined || first === '' ? '' : `: ${first}`
    } catch {
      return ''
    }
  }
}
