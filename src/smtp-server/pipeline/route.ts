// Stage "route": turns the recipients accepted at RCPT into mailbox deliveries and remote
// recipients. An account reached through several recipients (aliases, duplicates) gets the
// message once.
import type { LocalDelivery, RemoteRecipient } from '../../store/types.ts'
import { proceed, type PipelineContext, type StageResult } from './context.ts'

export function route(ctx: PipelineContext): StageResult {
  const local = new Map<number, LocalDelivery>()
  const remote = new Map<string, RemoteRecipient>()
  for (const rcpt of ctx.transaction.rcpts) {
    for (const account of rcpt.accounts) {
      if (!local.has(account.accountId)) {
        local.set(account.accountId, {
          accountId: account.accountId,
          rcptTo: rcpt.address,
          dsn: rcpt.dsn,
          ...(ctx.mailbox === 'INBOX' ? {} : { mailbox: ctx.mailbox }),
        })
      }
    }
    for (const address of rcpt.remote) {
      const key = address.toLowerCase()
      if (!remote.has(key)) remote.set(key, { address, dsn: rcpt.dsn })
    }
  }
  ctx.local = [...local.values()]
  ctx.remote = [...remote.values()]
  return proceed
}
