// What email authentication (SPF, DKIM, DMARC, ARC) concluded about one inbound message: the
// shape later pipeline stages (spam, reputation, DMARC reports) read. Filled by the
// "authenticate" stage of the mx role.

/** RFC 8601 2.7 result keywords. */
export type AuthResult =
  'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy'

export interface AuthOutcome {
  /** SPF (RFC 7208) of the MAIL FROM identity (the HELO identity when MAIL FROM is null). */
  spf: { result: AuthResult; domain: string; helo?: AuthResult }
  /** One entry per DKIM-Signature (RFC 6376), in header order. */
  dkim: { result: AuthResult; domain: string; selector: string; aligned: boolean }[]
  /** DMARC (RFC 7489): the From domain's policy and whether SPF or DKIM aligned. */
  dmarc: {
    result: AuthResult
    /** The RFC5322.From domain. */
    domain: string
    /** The policy published (after sp= for subdomains); 'none' when nothing is published. */
    policy: 'none' | 'quarantine' | 'reject'
    /** What was done: local overrides may soften the policy. */
    disposition: 'none' | 'quarantine' | 'reject'
  }
  /** ARC (RFC 8617) chain validation. */
  arc: { result: AuthResult; sealer?: string }
  /** The Authentication-Results field value added (without the field name). */
  header: string
}
