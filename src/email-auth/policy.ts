// What Postern does with a message that fails DMARC (RFC 7489 6.6.4, 6.7): the domain owner's
// policy (p=reject, p=quarantine), softened by sampling (pct=) and by the local policy the
// RFC allows receivers (RFC 7489 6.7: "final disposition ... local policy"): trusted
// forwarders (by client address or by forward-confirmed host name), trusted ARC sealers whose
// validated chain vouches for the message (RFC 8617 7.2), and per-domain exceptions.
import { BlockList, isIP } from 'node:net'
import { reverseName, type ResolveFn } from '../dns/resolver.ts'
import type { DmarcEvaluationResult } from './dmarc.ts'
import { normalizeDomain } from './org-domain.ts'
import type { DmarcPolicy, PolicyOverride } from './outcome.ts'

export interface LocalPolicy {
  /** IPs, CIDRs or host names whose mail is accepted despite a DMARC failure. */
  trustedForwarders: readonly string[]
  /** Domains whose ARC pass is accepted when DMARC fails. */
  trustedArcSealers: readonly string[]
  /** From domains (and their subdomains) whose DMARC policy is not enforced. */
  dmarcExceptions: readonly string[]
}

/** What the ARC chain said about the message, as far as the policy needs it. */
export interface ArcVouch {
  result: string
  /** d= of the newest ARC-Seal. */
  sealer?: string
  /** The newest ARC-Authentication-Results reports a DMARC, SPF or DKIM pass. */
  vouchesPass: boolean
}

export interface DispositionInput {
  dmarc: DmarcEvaluationResult
  arc: ArcVouch
  clientIp: string
  resolve: ResolveFn
}

export interface Disposition {
  disposition: DmarcPolicy
  overrides: PolicyOverride[]
}

/** A compiled LocalPolicy: address lists parsed once. */
export class DmarcPolicyEnforcer {
  readonly #networks = new BlockList()
  readonly #forwarderNames: string[] = []
  readonly #sealers: string[]
  readonly #exceptions: string[]

  constructor(policy: LocalPolicy) {
    for (const entry of policy.trustedForwarders) {
      const [net = '', bits] = entry.split('/')
      const family = isIP(net)
      if (family === 0) {
        this.#forwarderNames.push(normalizeDomain(entry))
        continue
      }
      const type = family === 6 ? 'ipv6' : 'ipv4'
      this.#networks.addSubnet(
        net,
        bits === undefined ? (family === 6 ? 128 : 32) : Number(bits),
        type,
      )
    }
    this.#sealers = policy.trustedArcSealers.map(normalizeDomain)
    this.#exceptions = policy.dmarcExceptions.map(normalizeDomain)
  }

  /** The disposition of one message (RFC 7489 6.6.4 policy, then local overrides). */
  async decide(input: DispositionInput): Promise<Disposition> {
    const { dmarc } = input
    if (dmarc.result === 'temperror' || dmarc.result === 'permerror') {
      // A DNS failure is not the domain owner's verdict: the message goes through, marked.
      return { disposition: 'none', overrides: [{ type: 'local_policy', comment: dmarc.result }] }
    }
    if (dmarc.result !== 'fail') return { disposition: 'none', overrides: [] }
    const overrides: PolicyOverride[] = []
    if (dmarc.sampledOut)
      overrides.push({ type: 'sampled_out', comment: `pct=${dmarc.record?.pct ?? 100}` })
    if (dmarc.sampledPolicy === 'none') return { disposition: 'none', overrides }
    const exception = this.#exceptions.find((d) => isSameOrSub(dmarc.domain, d))
    if (exception !== undefined) {
      overrides.push({ type: 'local_policy', comment: `dmarc exception ${exception}` })
      return { disposition: 'none', overrides }
    }
    const sealer = input.arc.sealer === undefined ? '' : normalizeDomain(input.arc.sealer)
    // RFC 8617 7.2: a receiver may trust the results a trusted sealer recorded in its AAR.
    if (
      input.arc.result === 'pass' &&
      input.arc.vouchesPass &&
      sealer !== '' &&
      this.#sealers.some((d) => isSameOrSub(sealer, d))
    ) {
      overrides.push({ type: 'forwarded', comment: `arc=pass as.d=${sealer}` })
      return { disposition: 'none', overrides }
    }
    const forwarder = await this.#trustedForwarder(input.clientIp, input.resolve)
    if (forwarder !== undefined) {
      overrides.push({ type: 'trusted_forwarder', comment: forwarder })
      return { disposition: 'none', overrides }
    }
    return { disposition: dmarc.sampledPolicy, overrides }
  }

  /** The matching entry, by address or by the client's forward-confirmed reverse name. */
  async #trustedForwarder(ip: string, resolve: ResolveFn): Promise<string | undefined> {
    const v6 = isIP(ip) === 6
    const mapped = v6 && ip.toLowerCase().startsWith('::ffff:') ? ip.slice(7) : undefined
    const hit =
      mapped !== undefined
        ? this.#networks.check(mapped, 'ipv4')
        : isIP(ip) !== 0 && this.#networks.check(ip, v6 ? 'ipv6' : 'ipv4')
    if (hit) return ip
    if (this.#forwarderNames.length === 0) return undefined
    const name = await confirmedName(ip, resolve)
    if (name === undefined) return undefined
    return this.#forwarderNames.find((d) => isSameOrSub(name, d))
  }
}

/** The client's PTR name whose A/AAAA records lead back to its address (FCrDNS), if any. */
async function confirmedName(ip: string, resolve: ResolveFn): Promise<string | undefined> {
  try {
    const names = ((await resolve(reverseName(ip), 'PTR')) as string[]).slice(0, 5)
    for (const name of names) {
      const addrs = (await resolve(name, isIP(ip) === 6 ? 'AAAA' : 'A')) as string[]
      if (addrs.includes(ip)) return normalizeDomain(name)
    }
  } catch {
    return undefined
  }
  return undefined
}

function isSameOrSub(name: string, domain: string): boolean {
  return domain !== '' && (name === domain || name.endsWith(`.${domain}`))
}
