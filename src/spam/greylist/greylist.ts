// Greylisting (RFC 6647): the first message from an unknown (client network, sender,
// recipient) triple gets a temporary failure at RCPT; a real MTA retries, most spam software
// does not. A retry after `delay` (and before `expire`) is accepted and the triple is
// remembered for `remember` (each accepted message renews it), so the sender is not delayed
// again. The client network is the IPv4 /24 or IPv6 /64 (large senders retry from another
// address of their pool), the sender and recipient are lower-cased.
//
// Skipped: clients in the passlist (CIDRs), networks with a good reputation, and triples whose
// earlier message passed DMARC (recordDmarcPass, called after DATA: DMARC is only known at end
// of data, so a DMARC pass helps the next message of the triple, never the first).
import { BlockList, isIPv6 } from 'node:net'
import { C451LocalError, Es471DeliveryNotAuthorized, SmtpReplyError } from '../../smtp/codes.ts'
import type { GreylistRepo } from '../../store/types-spam-learning.ts'
import type { RcptCheck, RcptCheckInput } from '../../smtp-server/rcpt-checks.ts'
import { logEvent } from '../../telemetry/events.ts'
import { ipNetworkKey } from '../reputation/reputation.ts'

export interface GreylistOptions {
  repo: GreylistRepo
  /** Seconds a new triple must wait before a retry is accepted. */
  delayS: number
  /** Seconds after first contact a retry is still taken as one (then contact starts again). */
  expireS: number
  /** Seconds an accepted triple is remembered after its last message. */
  rememberS: number
  /** CIDRs never greylisted. */
  passlist: readonly string[]
  /** Whether the client's network has a good reputation (then it is not greylisted). */
  isGoodSender?: (clientIp: string) => Promise<boolean>
  clock: () => number
}

export type GreylistDecision =
  | { kind: 'pass'; why: 'passlist' | 'reputation' | 'known' | 'retried' | 'not-applicable' }
  | { kind: 'defer'; retryInS: number }

/** Renewing a known triple's last-seen time more often than this is not worth a write. */
const RENEW_EVERY_MS = 3600_000

export class Greylist {
  readonly #opts: GreylistOptions
  readonly #passlist: (ip: string) => boolean

  constructor(opts: GreylistOptions) {
    this.#opts = opts
    this.#passlist = cidrMatcher(opts.passlist)
  }

  /** Decides for one recipient; remembers what it saw. */
  async check(input: {
    clientIp: string
    mailFrom: string
    rcpt: string
  }): Promise<GreylistDecision> {
    const network = ipNetworkKey(input.clientIp)
    if (network === undefined) return { kind: 'pass', why: 'not-applicable' }
    if (this.#passlist(input.clientIp)) return { kind: 'pass', why: 'passlist' }
    if ((await this.#opts.isGoodSender?.(input.clientIp)) === true) {
      return { kind: 'pass', why: 'reputation' }
    }
    const now = this.#opts.clock()
    const { repo, delayS, expireS, rememberS } = this.#opts
    const triple = tripleKey(network, input.mailFrom, input.rcpt)
    const entry = await repo.get(triple)
    const pruneBefore = now - rememberS * 1000
    if (entry?.passedAt != null && entry.lastSeen >= pruneBefore) {
      if (now - entry.lastSeen >= RENEW_EVERY_MS) {
        await repo.put({ ...entry, lastSeen: now }, pruneBefore)
      }
      return { kind: 'pass', why: 'known' }
    }
    const waiting = entry !== undefined && entry.passedAt === null
    const firstSeen = entry?.firstSeen ?? now
    if (waiting && now - firstSeen >= delayS * 1000 && now - firstSeen <= expireS * 1000) {
      await repo.put({ triple, firstSeen, passedAt: now, lastSeen: now }, pruneBefore)
      return { kind: 'pass', why: 'retried' }
    }
    if (waiting && now - firstSeen < delayS * 1000) {
      // An early retry does not restart the delay (RFC 6647 practice).
      return { kind: 'defer', retryInS: Math.ceil((firstSeen + delayS * 1000 - now) / 1000) }
    }
    // First contact, or a retry that came too late or a triple forgotten: start again.
    await repo.put({ triple, firstSeen: now, passedAt: null, lastSeen: now }, pruneBefore)
    return { kind: 'defer', retryInS: delayS }
  }

  /** An accepted message of these triples passed DMARC: their next messages skip the wait. */
  async recordDmarcPass(input: { clientIp: string; mailFrom: string; rcpts: readonly string[] }) {
    const network = ipNetworkKey(input.clientIp)
    if (network === undefined) return
    const now = this.#opts.clock()
    const pruneBefore = now - this.#opts.rememberS * 1000
    for (const rcpt of input.rcpts) {
      const triple = tripleKey(network, input.mailFrom, rcpt)
      await this.#opts.repo.put(
        { triple, firstSeen: now, passedAt: now, lastSeen: now },
        pruneBefore,
      )
    }
  }

  /**
   * The RCPT check for the mx role: unauthenticated mail to local recipients from clients
   * outside the trusted networks; a deferral is 451 4.7.1 (a temporary failure, RFC 6647).
   */
  rcptCheck(): RcptCheck {
    return async (input: RcptCheckInput) => {
      const { session } = input
      if (input.destination !== 'local' || session.deps.settings.role !== 'mx') return
      if (session.authenticated !== undefined) return
      const clientIp = session.conn.remoteAddress
      if (session.deps.settings.isTrustedClient(clientIp)) return
      const decision = await this.check({
        clientIp,
        mailFrom: session.transaction?.mailFrom ?? '',
        rcpt: input.address,
      })
      if (decision.kind === 'pass') return
      logEvent(session.deps.logger, 'spam.greylisted', {
        cid: session.conn.id,
        remote: clientIp,
        mailFrom: session.transaction?.mailFrom ?? '',
        rcpt: input.address,
        retryInS: decision.retryInS,
      })
      throw new SmtpReplyError(
        C451LocalError,
        Es471DeliveryNotAuthorized,
        `greylisted, please try again in ${String(decision.retryInS)} seconds`,
      )
    }
  }
}

function tripleKey(network: string, mailFrom: string, rcpt: string): string {
  return `${network.slice(3)}|${mailFrom.toLowerCase()}|${rcpt.toLowerCase()}`
}

/** A predicate telling whether an IP is in one of the CIDRs ("192.0.2.0/24", "2001:db8::/32"). */
export function cidrMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  const list = new BlockList()
  for (const cidr of cidrs) {
    const [net = '', bits] = cidr.trim().split('/')
    const type = isIPv6(net) ? 'ipv6' : 'ipv4'
    const prefix = bits === undefined ? (type === 'ipv6' ? 128 : 32) : Number(bits)
    list.addSubnet(net, prefix, type)
  }
  return (ip) => {
    const mapped = ip.startsWith('::ffff:') ? ip.slice(7) : undefined
    if (mapped !== undefined && !isIPv6(mapped)) return list.check(mapped, 'ipv4')
    return list.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4')
  }
}
