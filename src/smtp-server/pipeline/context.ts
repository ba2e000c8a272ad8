// The state that DATA pipeline stages share and fill in, stage by stage.
import type { HeaderScan } from '../../mail/header-scan.ts'
import type { LocalDelivery, RemoteRecipient } from '../../store/types.ts'
import type { SmtpSession } from '../session.ts'
import type { Transaction } from '../session-state.ts'
import type { SmtpReplyError } from '../../smtp/codes.ts'
import type { AuthOutcome } from '../../email-auth/outcome.ts'

export interface PipelineContext {
  session: SmtpSession
  transaction: Transaction
  /** The message as received, dot-unstuffed, CRLF line ends. */
  body: Buffer
  /** A short id for logs and the Received header. */
  queueId: string
  receivedAt: number
  headers?: HeaderScan
  /** Header fields to prepend, in order, each ending with CRLF. */
  prepend: string[]
  /** The mailbox local copies go to: INBOX unless a stage (DMARC quarantine, spam) says Junk. */
  mailbox: string
  /** Email authentication results (mx role), once the "authenticate" stage ran. */
  auth?: AuthOutcome
  /** The authenticated account that submitted the message (submission listeners). */
  submitter?: { accountId: number }
  /** The envelope sender of the queued (remote) copies when it differs (SRS forwarding). */
  remoteMailFrom?: string
  local: LocalDelivery[]
  remote: RemoteRecipient[]
  delivered: number
}

export type StageResult = { kind: 'continue' } | { kind: 'reject'; error: SmtpReplyError }

export type Stage = (ctx: PipelineContext) => Promise<StageResult> | StageResult

export const proceed: StageResult = { kind: 'continue' }
