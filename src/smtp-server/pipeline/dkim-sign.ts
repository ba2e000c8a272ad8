// Stage "dkim-sign" (submission role only): signs the message as it will be stored and sent
// (the fields earlier stages prepend included) with the header From domain's keys (RFC 6376 5,
// RFC 8463), and prepends the DKIM-Signature fields. Runs last before routing, so local and
// remote recipients get the same signed copy (one blob). A key that cannot sign is logged and
// the message goes on with the signatures that worked: an unsigned message beats a lost one.
import { proceed, type PipelineContext, type StageResult } from './context.ts'
import { headerFromAddresses } from './submission.ts'

export async function dkimSign(ctx: PipelineContext): Promise<StageResult> {
  const { session } = ctx
  const signer = session.deps.submission?.dkimSigner
  if (session.deps.settings.role !== 'submission' || signer === undefined) return proceed
  const from = headerFromAddresses(ctx)
  // The submission stage refused messages without a usable From; sign with the first.
  const [address] = from.kind === 'ok' ? from.addresses : []
  if (address === undefined) return proceed
  const domain = address.slice(address.lastIndexOf('@') + 1)
  const { logger, metrics } = session.deps
  const message = Buffer.concat([Buffer.from(ctx.prepend.join(''), 'utf8'), ctx.body])
  try {
    const out = await signer.sign({ message, domain, signTime: new Date(ctx.receivedAt) })
    if (out.errors.length > 0) {
      logger.warn({ event: 'smtp.dkim-sign-failed', domain, errors: out.errors, ...logIds(ctx) })
    }
    if (out.signatures === '') {
      metrics.dkimSigned.inc({ result: out.errors.length > 0 ? 'error' : 'no-key' })
      return proceed
    }
    ctx.prepend.push(out.signatures)
    metrics.dkimSigned.inc({ result: 'signed' })
    logger.info({ event: 'smtp.dkim-signed', domain, selectors: out.selectors, ...logIds(ctx) })
  } catch (err) {
    metrics.dkimSigned.inc({ result: 'error' })
    logger.warn({ event: 'smtp.dkim-sign-failed', domain, err, ...logIds(ctx) })
  }
  return proceed
}

function logIds(ctx: PipelineContext): Record<string, unknown> {
  return { queueId: ctx.queueId, ...ctx.session.logFields() }
}
