// Stage "authenticate" (mx role): SPF, DKIM, DMARC and ARC of the message (email-auth/), then
// the header block is rewritten once: any Authentication-Results that claims our authserv-id
// is removed (RFC 8601 5) and ours is added at the top. The DMARC policy is applied here:
// p=reject → 550 5.7.1 at end of data (RFC 7489 6.6.4, 10.3), p=quarantine → the Junk mailbox,
// p=none → delivered. SPF failing on its own never rejects (DMARC decides, with DKIM).
import { removeOwnAuthResults } from '../../email-auth/auth-results.ts'
import type { AuthOutcome } from '../../email-auth/outcome.ts'
import {
  C550MailboxUnavailable,
  Es571DeliveryNotAuthorized,
  SmtpReplyError,
} from '../../smtp/codes.ts'
import { proceed, type PipelineContext, type StageResult } from './context.ts'

export const JUNK_MAILBOX = 'Junk'

export async function authenticate(ctx: PipelineContext): Promise<StageResult> {
  const { deps, greeting, conn } = ctx.session
  const authenticator = deps.emailAuth
  if (authenticator === undefined || deps.settings.role !== 'mx') return proceed
  const check = await authenticator.check({
    message: ctx.body,
    ip: conn.remoteAddress,
    helo: greeting.kind === 'none' ? '' : greeting.domain,
    mailFrom: ctx.transaction.mailFrom,
    resolve: deps.resolver.resolve,
    now: ctx.receivedAt,
  })
  const auth = check.outcome
  ctx.auth = auth
  rewriteHeaderBlock(ctx, authenticator.authservId, check.field)
  deps.logger.info({
    event: 'auth.checked',
    ...ctx.session.logFields(),
    queueId: ctx.queueId,
    spf: auth.spf.result,
    dkim: auth.dkim.map((d) => `${d.domain}:${d.result}`),
    dmarc: auth.dmarc.result,
    from: auth.dmarc.domain,
    disposition: auth.dmarc.disposition,
    arc: auth.arc.result,
    timedOut: check.timedOut,
  })
  switch (auth.dmarc.disposition) {
    case 'reject':
      deps.logger.info({
        event: 'auth.dmarc-rejected',
        ...ctx.session.logFields(),
        from: auth.dmarc.domain,
      })
      return { kind: 'reject', error: dmarcRejection(auth) }
    case 'quarantine':
      ctx.mailbox = JUNK_MAILBOX
      return proceed
    case 'none':
      return proceed
  }
}

/**
 * Removes forged Authentication-Results (only the header block is scanned) and puts ours at
 * the top of the message, below the Received field the "headers" stage adds.
 */
function rewriteHeaderBlock(ctx: PipelineContext, authservId: string, field: string): void {
  const headerEnd = ctx.headers?.headerEnd ?? ctx.body.length
  const stripped = removeOwnAuthResults(ctx.body, headerEnd, authservId)
  const removedBytes = ctx.body.length - stripped.message.length
  const added = Buffer.from(field, 'latin1')
  ctx.body = Buffer.concat([added, stripped.message])
  if (ctx.headers !== undefined) {
    ctx.headers = { ...ctx.headers, headerEnd: headerEnd - removedBytes + added.length }
  }
}

/** The reply that tells the client why (RFC 7489 10.3: say it was DMARC). */
function dmarcRejection(auth: AuthOutcome): SmtpReplyError {
  const spf = `SPF ${auth.spf.result} for ${auth.spf.domain || 'the envelope sender'}`
  const signed = auth.dkim
    .filter((d) => d.result === 'pass')
    .map((d) => d.domain)
    .slice(0, 3)
  const dkim =
    signed.length === 0 ? 'no valid DKIM signature' : `DKIM pass only for ${signed.join(', ')}`
  return new SmtpReplyError(
    C550MailboxUnavailable,
    Es571DeliveryNotAuthorized,
    `message rejected: ${auth.dmarc.domain} publishes DMARC p=reject and the message is not ` +
      `authenticated as from that domain (${spf}, ${dkim}, none aligned with the From domain)`,
  )
}
