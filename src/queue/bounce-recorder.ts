// Inbound DSNs about Postern's own outbound mail: a bounce delivered to a local account is
// parsed (src/bounce/, RFC 3464 and the common non-standard formats) and each recipient it
// reports on is matched to the queued message (by the original's Message-ID, else ENVID, else
// the most recent message to that recipient) and recorded in its history; a hard "no such
// user" bounce puts the address on the suppression list. Never throws into the caller's path.

import { parseBounce } from '../bounce/parse.ts'
import type { Store } from '../store/types.ts'
import type { HistoryInput } from '../store/types-outbound.ts'
import type { Logger } from '../telemetry/logger.ts'
import { logEvent } from '../telemetry/events.ts'

/** How far back a bounce matched by recipient alone may reach. */
const MATCH_WINDOW_MS = 7 * 24 * 3_600_000

export interface BounceRecorderOptions {
  store: Pick<Store, 'queue' | 'suppressions'>
  clock: () => number
  logger: Logger
}

/** True when a message may be a bounce: from the null sender or a mailer daemon. */
export function isBounceCandidate(mailFrom: string): boolean {
  return mailFrom === '' || /^(mailer-daemon|postmaster)@/i.test(mailFrom)
}

/** Records what `raw` reports; returns how many queued recipients it matched. */
export async function recordInboundBounce(
  opts: BounceRecorderOptions,
  raw: Buffer,
): Promise<number> {
  const parsed = parseBounce(raw)
  if (parsed === undefined || parsed.kind === 'auto-reply' || parsed.kind === 'arf') return 0
  const now = opts.clock()
  let matched = 0
  for (const r of parsed.recipients) {
    const match = await opts.store.queue.matchBounce({
      ...(parsed.originalMessageId === undefined ? {} : { messageId: parsed.originalMessageId }),
      ...(parsed.envelopeId === undefined ? {} : { envid: parsed.envelopeId }),
      recipient: r.recipient,
      since: now - MATCH_WINDOW_MS,
    })
    if (match === undefined) continue
    matched++
    const detail = [r.action, r.status, r.reason, r.diagnostic].filter((x) => x !== '').join(' ')
    const at = { queueId: match.queueId, recipientId: match.recipientId }
    const history: (HistoryInput & { queueId: number; recipientId: number })[] = [
      {
        ...at,
        kind: 'bounce-received',
        detail,
        ...(r.remoteMta === undefined ? {} : { remoteHost: r.remoteMta }),
      },
    ]
    if (r.hard && r.action !== 'delayed' && r.action !== 'delivered') {
      const isNew = await opts.store.suppressions.add({
        address: r.recipient,
        reason: `bounce: ${r.reason === '' ? 'no such user' : r.reason}`,
        reply: r.diagnostic,
        createdAt: now,
      })
      if (isNew) logEvent(opts.logger, 'queue.suppressed', { address: r.recipient, via: 'dsn' })
      history.push({ ...at, kind: 'suppressed', detail: 'from an inbound DSN' })
    }
    await opts.store.queue.addHistory(history, now)
    logEvent(opts.logger, 'queue.bounce-recorded', {
      queueId: match.queueId,
      recipient: r.recipient,
      status: r.status,
      reason: r.reason,
    })
  }
  return matched
}
