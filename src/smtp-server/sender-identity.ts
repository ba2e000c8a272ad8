// Who may send as whom on submission (RFC 6409 6.1: the MSA checks that the submitter is
// authorised to use the sender addresses): the authenticated account owns its own address
// and every alias whose targets include it. Checked for the envelope sender at MAIL and for
// the header From at the end of data, each refused with 550 5.7.1.
import {
  SmtpReplyError,
  C530AuthRequired,
  C550MailboxUnavailable,
  Es570Other,
  Es571DeliveryNotAuthorized,
} from '../smtp/codes.ts'
import type { Store } from '../store/types.ts'
import type { SmtpSession } from './session.ts'
import type { AuthenticatedUser } from './submission-state.ts'

/** Whether the account may use `address` as a sender: its own, or an alias reaching it. */
export async function ownsAddress(
  store: Store,
  user: AuthenticatedUser,
  address: string,
): Promise<boolean> {
  const wanted = address.trim().toLowerCase()
  const own = user.address.toLowerCase()
  if (wanted === own) return true
  // A catch-all ("@domain") reaches everyone of a domain: it does not make them owners.
  if (wanted.startsWith('@') || !wanted.includes('@')) return false
  const alias = await store.aliases.get(wanted)
  return alias?.targets.some((t) => t.toLowerCase() === own) ?? false
}

/** The authenticated user of a submission session, or 530 5.7.0 (RFC 4954 6). */
export function requireAuthenticated(session: SmtpSession): AuthenticatedUser {
  const user = session.authenticated
  if (user === undefined) {
    throw new SmtpReplyError(C530AuthRequired, Es570Other, 'authentication required')
  }
  return user
}

/** MAIL FROM on submission: authenticated, not null, and owned by the account. */
export async function checkEnvelopeSender(session: SmtpSession, mailFrom: string): Promise<void> {
  const user = requireAuthenticated(session)
  if (mailFrom === '') {
    // Bounces come from the server itself, never from a submitting user.
    throw refuse(session, '<>', 'the null sender is not allowed on submission')
  }
  if (!(await ownsAddress(session.deps.store, user, mailFrom))) {
    throw refuse(session, mailFrom, `<${mailFrom}>: sender address not owned by ${user.address}`)
  }
}

/** An address the account may not send as: 550 5.7.1, logged. */
export function refuse(session: SmtpSession, address: string, text: string): SmtpReplyError {
  session.deps.logger.info({
    event: 'smtp.sender-refused',
    account: session.authenticated?.address,
    sender: address.slice(0, 320),
    ...session.logFields(),
  })
  return new SmtpReplyError(C550MailboxUnavailable, Es571DeliveryNotAuthorized, text)
}
