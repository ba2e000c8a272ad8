// Sender reputation: the history a receiving server keeps of who sends it what (the "sender
// score"). Subjects are the sending IP's network (IPv4 /24, IPv6 /64: one operator's
// neighbouring addresses share a fate) and the authenticated sender domain (the aligned DKIM
// domain, else the SPF-authenticated MAIL FROM domain, from ctx.auth: a name anyone can
// claim without authenticating says nothing). Each subject counts ham and spam verdicts and
// user corrections (a message moved into or out of Junk), which weigh more.
//
// A subject with fewer than min_messages events is new: neutral, no hit. Otherwise the score
// is weight × (S − H) / (S + H) × confidence, where S and H are the spam and ham counts with
// corrections weighted, and confidence grows to 1 at CONFIDENT_AT events: a good history gives
// a negative score, a bad one a positive score. A subject unseen for a year is forgotten.
import { isIP } from 'node:net'
import { expandIpv6 } from '../../dns/resolver.ts'
import type { AuthOutcome } from '../../email-auth/outcome.ts'
import type {
  ReputationCounts,
  ReputationEvent,
  ReputationRepo,
} from '../../store/types-spam-learning.ts'
import type { SignalInput, SignalSource, SpamHit } from '../signal.ts'

export interface ReputationOptions {
  repo: ReputationRepo
  /** Largest score magnitude (a subject with only spam, or only ham, and enough history). */
  weight: number
  /** Events a subject needs before it has a reputation. */
  minMessages: number
  /** How many verdicts one user correction counts as. */
  correctionWeight: number
  clock: () => number
}

/** What a verdict or a correction is about. */
export interface ReputationSubject {
  clientIp: string
  /** The authenticated sender domain, when authentication passed. */
  authDomain?: string | undefined
}

const CONFIDENT_AT = 20
/** A subject not seen for this long is forgotten (new again, and its row deleted). */
const FORGET_AFTER_MS = 365 * 86_400_000
/** A sender whose ham share is at least this (and with enough history) is "good". */
const GOOD_RATIO = -0.5

/** The network an IP belongs to for reputation: "ip:192.0.2.0/24", "ip:2001:db8:0:1::/64". */
export function ipNetworkKey(ip: string): string | undefined {
  const bare = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip
  const family = isIP(bare)
  if (family === 4) {
    const [a, b, c] = bare.split('.')
    return `ip:${a ?? ''}.${b ?? ''}.${c ?? ''}.0/24`
  }
  if (family === 6) {
    const groups = expandIpv6(bare.toLowerCase()).split(':').slice(0, 4)
    return `ip:${groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
  }
  return undefined
}

/** The authenticated sender domain: a passing aligned DKIM domain, else SPF's domain. */
export function authenticatedDomain(auth: AuthOutcome | undefined): string | undefined {
  if (auth === undefined) return undefined
  const dkim = auth.dkim.find((d) => d.result === 'pass' && d.aligned)
  if (dkim !== undefined) return dkim.domain.toLowerCase()
  if (auth.spf.result === 'pass' && auth.spf.domain !== '') return auth.spf.domain.toLowerCase()
  return undefined
}

export class SenderReputation implements SignalSource {
  readonly name = 'reputation'
  readonly #opts: ReputationOptions

  constructor(opts: ReputationOptions) {
    this.#opts = opts
  }

  /** Counts a verdict of the spam filter (called for each message it judged). */
  async recordVerdict(input: ReputationSubject & { spam: boolean }): Promise<void> {
    await this.#record(input, input.spam ? 'spam' : 'ham')
  }

  /** Counts a user's correction (moved into Junk: spam; out of Junk: ham). */
  async recordCorrection(input: ReputationSubject & { spam: boolean }): Promise<void> {
    await this.#record(input, input.spam ? 'corrected-spam' : 'corrected-ham')
  }

  /** True when the IP's network has a clearly good history (greylisting skips it). */
  async isGood(clientIp: string): Promise<boolean> {
    const key = ipNetworkKey(clientIp)
    if (key === undefined) return false
    const [counts] = await this.#opts.repo.get([key])
    if (counts === undefined) return false
    const rated = this.#rate(counts)
    return rated !== undefined && rated.ratio <= GOOD_RATIO
  }

  async evaluate(input: SignalInput): Promise<SpamHit[]> {
    if (input.direction === 'outbound') return []
    try {
      const keys = subjectKeys({
        clientIp: input.clientIp,
        authDomain: authenticatedDomain(input.auth),
      })
      const rows = await this.#opts.repo.get(keys)
      return rows.flatMap((row) => this.#hit(row))
    } catch {
      return []
    }
  }

  async #record(subject: ReputationSubject, event: ReputationEvent): Promise<void> {
    const keys = subjectKeys(subject)
    if (keys.length === 0) return
    const at = this.#opts.clock()
    await this.#opts.repo.record({ keys, event, at, pruneBefore: at - FORGET_AFTER_MS })
  }

  #rate(c: ReputationCounts): { ratio: number; score: number } | undefined {
    const events = c.spam + c.ham + c.correctedSpam + c.correctedHam
    if (events < this.#opts.minMessages) return undefined
    const w = this.#opts.correctionWeight
    const spam = c.spam + w * c.correctedSpam
    const ham = c.ham + w * c.correctedHam
    const ratio = (spam - ham) / (spam + ham)
    const confidence = Math.min(1, events / CONFIDENT_AT)
    return { ratio, score: Math.round(this.#opts.weight * ratio * confidence * 100) / 100 }
  }

  #hit(c: ReputationCounts): SpamHit[] {
    const rated = this.#rate(c)
    if (rated === undefined || Math.abs(rated.score) < 0.05) return []
    const isIp = c.key.startsWith('ip:')
    const subject = isIp ? `IP ${c.key.slice(3)}` : `domain ${c.key.slice(7)}`
    const corrections = c.correctedSpam + c.correctedHam
    const corrected =
      corrections === 0
        ? ''
        : `; users moved ${String(c.correctedSpam)} to Junk, ${String(c.correctedHam)} out of it`
    return [
      {
        rule: `REPUTATION_${isIp ? 'IP' : 'DOMAIN'}_${rated.score > 0 ? 'BAD' : 'GOOD'}`,
        source: 'reputation',
        score: rated.score,
        reason: `${subject}: ${String(c.spam)} spam, ${String(c.ham)} ham seen${corrected}`,
        detail: { key: c.key, ...countsDetail(c) },
      },
    ]
  }
}

function countsDetail(c: ReputationCounts): Record<string, number> {
  return {
    spam: c.spam,
    ham: c.ham,
    correctedSpam: c.correctedSpam,
    correctedHam: c.correctedHam,
  }
}

/** The store keys of a subject: its IP network, and its domain when authenticated. */
export function subjectKeys(subject: ReputationSubject): string[] {
  const keys: string[] = []
  const ip = ipNetworkKey(subject.clientIp)
  if (ip !== undefined) keys.push(ip)
  const domain = subject.authDomain?.trim().toLowerCase().replace(/\.$/, '')
  if (domain !== undefined && domain !== '') keys.push(`domain:${domain}`)
  return keys
}
