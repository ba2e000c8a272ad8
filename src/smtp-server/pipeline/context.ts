// The state that DATA pipeline stages share and fill in, stage by stage.
import type { HeaderScan } from '../../mail/header-scan.ts'
import type { LocalDelivery, RemoteRecipient } from '../../store/types.ts'
import type { SmtpSession } from '../session.ts'
import type { Transaction } from '../session-state.ts'
import type { SmtpReplyError } from '../../smtp/codes.ts'

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
  local: LocalDelivery[]
  remote: RemoteRecipient[]
  delivered: number
}

export type StageResult = { kind: 'continue' } | { kind: 'reject'; error: SmtpReplyError }

export type Stage = (ctx: PipelineContext) => Promise<StageResult> | StageResult

export const proceed: StageResult = { kind: 'continue' }
