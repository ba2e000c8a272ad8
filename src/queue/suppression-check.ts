// The RCPT check that refuses, on submission listeners, a remote recipient on the suppression
// list (an address that bounced as "no such user"): 550 5.1.1 at RCPT, with the reason and the
// date, so the sender learns at once instead of from a bounce (RFC 5321 4.2.2 / RFC 3463 X.1.1).
// Registered in SmtpDeps.rcptChecks; mx listeners and local recipients are not affected.

import { C550MailboxUnavailable, Es511BadDestMailbox, SmtpReplyError } from '../smtp/codes.ts'
import type { SuppressionRepo } from '../store/types-outbound.ts'

/** The part of an RCPT check's input this check reads (see smtp-server/rcpt-checks.ts). */
export interface SuppressionCheckInput {
  session: { deps: { settings: { role: string } } }
  address: string
  destination: 'local' | 'remote'
}

export function suppressionRcptCheck(
  suppressions: Pick<SuppressionRepo, 'get'>,
): (input: SuppressionCheckInput) => Promise<void> {
  return async (input) => {
    if (input.session.deps.settings.role !== 'submission' || input.destination !== 'remote') return
    const entry = await suppressions.get(input.address)
    if (entry === undefined) return
    const since = new Date(entry.createdAt).toISOString().slice(0, 10)
    throw new SmtpReplyError(
      C550MailboxUnavailable,
      Es511BadDestMailbox,
      `<${input.address}> is on this server's suppression list since ${since} (${entry.reason}); ` +
        'mail to it bounced before. Ask your administrator to remove it if it works again.',
    )
  }
}
