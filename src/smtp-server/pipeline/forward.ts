// Stage "forward" (mx role, after "route"): for a message an alias forwards to remote
// addresses (ctx.remote non-empty), the queued copy gets
// - an SRS envelope sender (src/srs/srs.ts) in our domain, so SPF of the forwarded copy asks
//   about us and bounces come back to us (RFC 7208 appendix D.2; ctx.remoteMailFrom);
// - an ARC set (RFC 8617 5.1: AAR from the authentication results, AMS, AS) signed with the
//   forwarding domain's DKIM key, so the next hop can trust the results we saw.
// The stored body is shared by the local copies and the queued one, so the ARC set is in the
// local copies too: harmless (ARC headers only add information) and it keeps one body.
import type { Srs } from '../../srs/srs.ts'
import type { ArcSealer } from '../../arc-seal/arc-sealer.ts'
import { proceed, type PipelineContext, type StageResult } from './context.ts'

export interface ForwardingDeps {
  /** Undefined: SRS is off (srs.enabled false). */
  srs?: Srs
  /** The domain of SRS addresses; '' takes the domain of the forwarding alias. */
  srsDomain: string
  /** Undefined: ARC sealing is off. */
  sealer?: ArcSealer
}

export async function forward(ctx: PipelineContext): Promise<StageResult> {
  const deps = ctx.session.deps
  const forwarding = deps.forwarding
  if (deps.settings.role !== 'mx' || forwarding === undefined || ctx.remote.length === 0) {
    return proceed
  }
  const aliasDomain = await forwardingDomain(ctx)
  if (aliasDomain === undefined) return proceed
  const { mailFrom } = ctx.transaction
  const senderDomain = mailFrom.slice(mailFrom.lastIndexOf('@') + 1)
  // A sender of our own domains passes SPF through us already: no rewriting.
  if (forwarding.srs && mailFrom !== '' && !(await deps.router.isLocalDomain(senderDomain))) {
    const domain = forwarding.srsDomain === '' ? aliasDomain : forwarding.srsDomain
    ctx.remoteMailFrom = forwarding.srs.forward(mailFrom, domain)
  }
  if (forwarding.sealer) await seal(ctx, forwarding.sealer, aliasDomain)
  return proceed
}

async function seal(ctx: PipelineContext, sealer: ArcSealer, domain: string): Promise<void> {
  const { hostname } = ctx.session.deps.settings
  const message = Buffer.concat([Buffer.from(ctx.prepend.join(''), 'utf8'), ctx.body])
  try {
    const set = await sealer.seal({
      message,
      domain,
      // RFC 8617 4.1.1: the AAR carries the results of this ADMD's authentication.
      authResults: ctx.auth?.header ?? `${hostname}; none`,
      chain: ctx.auth?.arc.result ?? 'none',
      now: ctx.receivedAt,
    })
    // RFC 8617 5.1.1 step 5: the set goes on top of the message.
    if (set !== undefined) ctx.prepend.unshift(set)
  } catch (err) {
    // The message is forwarded unsealed rather than refused.
    ctx.session.deps.logger.warn({ event: 'arc.seal-failed', err, queueId: ctx.queueId })
  }
}

/**
 * The local domain of the first recipient that an alias forwards to remote addresses; a
 * recipient relayed for a trusted client (its own address is remote) is not forwarding.
 */
async function forwardingDomain(ctx: PipelineContext): Promise<string | undefined> {
  for (const rcpt of ctx.transaction.rcpts) {
    if (rcpt.remote.length === 0) continue
    const domain = rcpt.address.slice(rcpt.address.lastIndexOf('@') + 1).toLowerCase()
    if (await ctx.session.deps.router.isLocalDomain(domain)) return domain
  }
  return undefined
}
