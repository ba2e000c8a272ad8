// Policy checks run on every RCPT TO after the address is routed: each may refuse the recipient
// by throwing an SmtpReplyError (a 4xx to try later, a 5xx to give up), or let it pass.
// Examples: the suppression list (submission), greylisting (mx). Kept as a list in SmtpDeps so
// features add a check without touching the RCPT command.
import type { SmtpSession } from './session.ts'

export interface RcptCheckInput {
  session: SmtpSession
  /** The recipient as the client gave it. */
  address: string
  /** Whether the address is one of ours (an account, alias or catch-all) or elsewhere. */
  destination: 'local' | 'remote'
}

export type RcptCheck = (input: RcptCheckInput) => Promise<void> | void
