// Stage "submission" (submission role only; RFC 6409): records the submitting account for the
// queue (per-account throttles), checks that the header From names addresses the account owns
// (RFC 6409 6.1; RFC 5322 3.6: exactly one From field), and adds the fields an MSA may
// complete (RFC 6409 8.2 Message-ID, 8.3 Date) when the client left them out.
import { randomBytes } from 'node:crypto'
import { parseHeaderBlock } from '../../mail/header-fields.ts'
import { parseAddressList } from '../../mail/address-list.ts'
import { SmtpReplyError, C550MailboxUnavailable, Es560OtherMedia } from '../../smtp/codes.ts'
import { ownsAddress, refuse, requireAuthenticated } from '../sender-identity.ts'
import { formatRfc5322Date } from './headers.ts'
import { proceed, type PipelineContext, type StageResult } from './context.ts'

export async function submission(ctx: PipelineContext): Promise<StageResult> {
  const { session } = ctx
  if (session.deps.settings.role !== 'submission') return proceed
  const user = requireAuthenticated(session)
  ctx.submitter = { accountId: user.accountId }
  const from = headerFromAddresses(ctx)
  if (from.kind === 'invalid') {
    return reject(new SmtpReplyError(C550MailboxUnavailable, Es560OtherMedia, from.reason))
  }
  for (const address of from.addresses) {
    if (!(await ownsAddress(session.deps.store, user, address))) {
      const text = `header From <${address}> not owned by ${user.address}`
      return reject(refuse(session, address, text))
    }
  }
  if (ctx.headers?.messageId === undefined) {
    // RFC 6409 8.3: a unique id; random, so it tells nothing about the sender.
    const id = randomBytes(16).toString('hex')
    ctx.prepend.push(`Message-ID: <${id}@${session.deps.settings.hostname}>\r\n`)
  }
  if (ctx.headers?.hasDate !== true) {
    ctx.prepend.push(`Date: ${formatRfc5322Date(new Date(ctx.receivedAt))}\r\n`) // RFC 6409 8.2
  }
  return proceed
}

function reject(error: SmtpReplyError): StageResult {
  return { kind: 'reject', error }
}

export type HeaderFrom = { kind: 'ok'; addresses: string[] } | { kind: 'invalid'; reason: string }

/** The addr-specs of the message's single From field (RFC 5322 3.6.2), lower-cased. */
export function headerFromAddresses(ctx: PipelineContext): HeaderFrom {
  const headerEnd = ctx.headers?.headerEnd ?? ctx.body.length
  const fields = parseHeaderBlock(ctx.body, 0, headerEnd).fields.filter((f) => f.key === 'from')
  const [field] = fields
  if (field === undefined) return { kind: 'invalid', reason: 'the message has no From field' }
  if (fields.length > 1) return { kind: 'invalid', reason: 'the message has several From fields' }
  const addresses: string[] = []
  for (const entry of parseAddressList(field.value)) {
    const mailboxes = entry.kind === 'mailbox' ? [entry.mailbox] : entry.members
    for (const m of mailboxes) {
      if (m.localPart === null || m.domain === null) {
        return { kind: 'invalid', reason: 'the From field has an address without a domain' }
      }
      addresses.push(`${m.localPart}@${m.domain}`.toLowerCase())
    }
  }
  if (addresses.length === 0) return { kind: 'invalid', reason: 'the From field has no address' }
  return { kind: 'ok', addresses }
}
