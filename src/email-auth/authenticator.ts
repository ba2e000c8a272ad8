// Email authentication of one inbound message: SPF (RFC 7208) for the MAIL FROM and HELO
// identities, DKIM (RFC 6376; RSA and Ed25519, RFC 8463) for every signature, ARC (RFC 8617)
// chain validation — these three by mailauth — then DMARC (RFC 7489, dmarc.ts) and the local
// policy (policy.ts). Every DNS question goes through the injected resolver under one time
// budget (deadline.ts). The result is the AuthOutcome later stages read and the
// Authentication-Results field (RFC 8601) to add.
import {
  arc,
  dkimVerify,
  spf,
  type ARCData,
  type ARCResult,
  type DKIMVerifyResult,
  type SPFResult,
} from 'mailauth'
import type { ResolveFn, RrType } from '../dns/resolver.ts'
import { formatAuthResults } from './auth-results.ts'
import { withDeadline, type Timers } from './deadline.ts'
import { evaluateDmarc, type DmarcEvaluationResult } from './dmarc.ts'
import { isAligned, normalizeDomain } from './org-domain.ts'
import type { AuthOutcome, AuthResult, DmarcPolicy } from './outcome.ts'
import { DmarcPolicyEnforcer, type ArcVouch, type LocalPolicy } from './policy.ts'

export interface EmailAuthOptions extends LocalPolicy {
  /** RFC 8601 2.5: the authserv-id, this server's host name. */
  authservId: string
  /** The budget for every DNS question of one message. */
  timeoutMs: number
  /** [0, 1) for pct= sampling; Math.random by default. */
  random?: () => number
  timers?: Timers
}

export interface MessageToCheck {
  /** The message as received (CRLF line ends). */
  message: Buffer
  ip: string
  /** The EHLO/HELO name ('' when the client sent none). */
  helo: string
  /** The MAIL FROM address ('' for the null reverse-path). */
  mailFrom: string
  resolve: ResolveFn
  /** Epoch ms: DKIM t=/x= are checked against it. */
  now: number
}

export interface AuthCheck {
  outcome: AuthOutcome
  /** The Authentication-Results field to prepend, ending with CRLF. */
  field: string
  /** True when the DNS budget ran out (some results are temperror). */
  timedOut: boolean
}

/** Most From domains evaluated for one message (RFC 7489 6.6.1 multi-valued From). */
const MAX_FROM_DOMAINS = 5

export class EmailAuthenticator {
  readonly #opts: EmailAuthOptions
  readonly #enforcer: DmarcPolicyEnforcer

  constructor(opts: EmailAuthOptions) {
    this.#opts = opts
    this.#enforcer = new DmarcPolicyEnforcer(opts)
  }

  get authservId(): string {
    return this.#opts.authservId
  }

  /** Authenticates one message. Never throws for anything the message or DNS holds. */
  async check(input: MessageToCheck): Promise<AuthCheck> {
    const budget = withDeadline(input.resolve, this.#opts.timeoutMs, this.#opts.timers)
    try {
      return await this.#run(input, budget.resolve, budget.isExpired)
    } finally {
      budget.dispose()
    }
  }

  async #run(
    input: MessageToCheck,
    resolve: ResolveFn,
    isExpired: () => boolean,
  ): Promise<AuthCheck> {
    const resolver = (name: string, rrtype: string): Promise<string[]> =>
      resolve(name, rrtype as RrType) as Promise<string[]>
    const mta = this.#opts.authservId
    const helo = input.helo
    const heloIsName = isDomainName(helo)
    // Strict: RFC 7208 exactly (it passes the whole OpenSPF suite, spf-rfc7208.test.ts).
    const spfBase = { ip: input.ip, helo, mta, resolver, strict: true }
    // RFC 7208 2.3 / 2.4: MAIL FROM, or postmaster@HELO for the null reverse-path; the HELO
    // identity is checked as well when it is a domain name.
    const [dkim, mailSpf, heloSpf] = await Promise.all([
      dkimVerify(input.message, {
        resolver,
        curTime: new Date(input.now),
        // RFC 6376 6.3 / RFC 8301: a body hash mismatch is "fail", rsa-sha1 is not valid.
        strict: true,
        ...(input.mailFrom === '' ? {} : { sender: input.mailFrom }),
      }),
      spf({ ...spfBase, ...(input.mailFrom === '' ? {} : { sender: input.mailFrom }) }),
      input.mailFrom !== '' && heloIsName
        ? spf({ ...spfBase, sender: `postmaster@${helo}` })
        : Promise.resolve(undefined),
    ])
    const arcResult = await arc((dkim.arc ?? { chain: false }) as ARCData, {
      resolver,
      // RFC 8617 exactly (166 of the 168 ValiMail cases; arc-valimail.test.ts lists the 2).
      strict: true,
      ip: input.ip,
    })
    const spfResult = toResult(mailSpf.status.result)
    const spfDomain = normalizeDomain(mailSpf.domain)
    const dkimRows = dkim.results
      .filter((r) => r.signingDomain !== undefined)
      .map((r) => ({
        result: toResult(r.status.result),
        domain: normalizeDomain(r.signingDomain ?? ''),
        selector: r.selector ?? '',
      }))
    const dmarc = await this.#dmarc(
      dkim,
      { result: spfResult, domain: spfDomain },
      dkimRows,
      resolve,
    )
    const vouch = arcVouch(dkim, arcResult)
    const { disposition, overrides } = await this.#enforcer.decide({
      dmarc,
      arc: vouch,
      clientIp: input.ip,
      resolve,
    })
    const adkim = dmarc.record?.adkim ?? 'r'
    const outcome: AuthOutcome = {
      spf: {
        result: spfResult,
        domain: spfDomain,
        ...(heloSpf === undefined ? {} : { helo: toResult(heloSpf.status.result) }),
      },
      dkim: dkimRows.map((row) => ({
        ...row,
        aligned: dmarc.domain !== '' && isAligned(row.domain, dmarc.domain, adkim),
      })),
      dmarc: {
        result: dmarc.result,
        domain: dmarc.domain,
        policy: dmarc.policy,
        disposition,
        ...(dmarc.record === undefined ? {} : { record: dmarc.record }),
        ...(dmarc.orgDomain === undefined ? {} : { orgDomain: dmarc.orgDomain }),
        spfAligned: dmarc.spfAligned,
        dkimAligned: dmarc.dkimAligned,
        overrides,
      },
      arc: {
        result: toResult(arcResult.status.result),
        ...(vouch.sealer === undefined ? {} : { sealer: vouch.sealer }),
      },
      header: '',
      source: { ip: input.ip, helo, mailFrom: input.mailFrom },
    }
    const entries = [
      mailSpf.info,
      ...(heloSpf === undefined
        ? []
        : [`spf=${toResult(heloSpf.status.result)} smtp.helo=${helo}`]),
      ...dkim.results.map((r) => r.info),
      ...(arcResult.info === undefined ? [] : [arcResult.info]),
      dmarcEntry(dmarc, disposition),
    ].filter((e) => e !== '')
    const { value, field } = formatAuthResults(mta, entries)
    outcome.header = value
    return { outcome, field, timedOut: isExpired() }
  }

  /** RFC 7489 6.6.1: every From domain is checked; the strictest failing policy applies. */
  async #dmarc(
    dkim: DKIMVerifyResult,
    spfRow: { result: AuthResult; domain: string },
    dkimRows: { result: AuthResult; domain: string }[],
    resolve: ResolveFn,
  ): Promise<DmarcEvaluationResult> {
    const domains = [
      ...new Set(
        dkim.headerFrom
          .map((address) => normalizeDomain(address.slice(address.lastIndexOf('@') + 1)))
          .filter((d) => d !== ''),
      ),
    ].slice(0, MAX_FROM_DOMAINS)
    const random = this.#opts.random ?? Math.random
    const evaluations = await Promise.all(
      (domains.length === 0 ? [''] : domains).map((fromDomain) =>
        evaluateDmarc({ fromDomain, spf: spfRow, dkim: dkimRows, resolve, random }),
      ),
    )
    const strength = (e: DmarcEvaluationResult): number =>
      e.result === 'fail' ? 10 + POLICY_STRENGTH[e.sampledPolicy] : e.result === 'pass' ? 0 : 1
    return evaluations.reduce((a, b) => (strength(b) > strength(a) ? b : a))
  }
}

const POLICY_STRENGTH: Record<DmarcPolicy, number> = { none: 0, quarantine: 1, reject: 2 }

/** RFC 8601 2.7.1-style result for DMARC, with the policy and disposition as a comment. */
function dmarcEntry(dmarc: DmarcEvaluationResult, disposition: DmarcPolicy): string {
  const from = dmarc.domain === '' ? '' : ` header.from=${dmarc.domain}`
  if (dmarc.record === undefined) return `dmarc=${dmarc.result}${from}`
  const { p, sp, pct } = dmarc.record
  const comment = [
    `p=${p.toUpperCase()}`,
    ...(sp === undefined ? [] : [`sp=${sp.toUpperCase()}`]),
    ...(pct === 100 ? [] : [`pct=${pct}`]),
    `dis=${disposition.toUpperCase()}`,
  ].join(' ')
  return `dmarc=${dmarc.result} (${comment})${from}`
}

function arcVouch(dkim: DKIMVerifyResult, result: ARCResult): ArcVouch {
  const seal = dkim.arc?.lastEntry?.['arc-seal']?.parsed?.d?.value
  const aar = result.authenticationResults as
    | { dmarc?: { result?: string }; spf?: { result?: string }; dkim?: { result?: string }[] }
    | undefined
  const vouchesPass =
    aar?.dmarc?.result === 'pass' ||
    (aar?.dmarc === undefined &&
      (aar?.spf?.result === 'pass' || (aar?.dkim ?? []).some((d) => d.result === 'pass')))
  return {
    result: toResult(result.status.result),
    ...(typeof seal === 'string' ? { sealer: seal } : {}),
    vouchesPass,
  }
}

const RESULTS = new Set<string>([
  'pass',
  'fail',
  'softfail',
  'neutral',
  'none',
  'temperror',
  'permerror',
  'policy',
])

/** mailauth's result words as RFC 8601 keywords ("temperr" is its old spelling). */
export function toResult(word: string | undefined): AuthResult {
  const w = (word ?? 'none').toLowerCase()
  if (w === 'temperr') return 'temperror'
  return RESULTS.has(w) ? (w as AuthResult) : 'none'
}

function isDomainName(name: string): boolean {
  return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i.test(name)
}

export type { SPFResult }
