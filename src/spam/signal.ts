// The contract between the spam verdict (which sums weighted signals into one score and acts on
// it) and the sources of signals: content rules, the Bayesian classifier, sender reputation,
// DNS blocklists. Every hit carries its own human reason, so each verdict explains itself.
import type { AuthOutcome } from '../email-auth/outcome.ts'

export type SignalSourceName = 'rule' | 'bayes' | 'reputation' | 'dnsbl' | 'auth'

export interface SpamHit {
  /** A stable name, upper-case with underscores (e.g. "GTUBE", "URL_IP_LITERAL"). */
  rule: string
  source: SignalSourceName
  /** Added to the score; negative for signs of good mail. */
  score: number
  /** A short sentence a person understands: why this fired. */
  reason: string
  /** Machine-readable facts (the probability, the list hit, the matched phrase...). */
  detail?: Record<string, unknown>
}

/** What a signal source may look at. */
export interface SignalInput {
  /** The message as received (CRLF), headers and body. */
  raw: Buffer
  /** The connecting client's IP (mx) or the submitting client's (submission). */
  clientIp: string
  helo: string
  /** MAIL FROM; '' for the null sender. */
  mailFrom: string
  rcpts: string[]
  /** The local accounts the message is for (per-account statistics). */
  accountIds: number[]
  /** Email authentication results, when the mx role computed them. */
  auth?: AuthOutcome
  /** 'mx' for inbound mail; 'submission' for the outbound pre-flight. */
  direction: 'inbound' | 'outbound'
}

export interface SignalSource {
  readonly name: SignalSourceName
  /** Never rejects: a source that fails (DNS timeout...) returns no hits, or a hit saying so. */
  evaluate(input: SignalInput): Promise<SpamHit[]>
}
