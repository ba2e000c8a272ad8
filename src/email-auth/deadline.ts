// One time budget for every DNS question of one message's authentication (SPF, DKIM keys,
// DMARC and ARC records): once it is spent, questions still waiting and any new ones fail at
// once as timeouts, which SPF, DKIM, DMARC and ARC report as temperror (RFC 7208 4.6.4 limits
// SPF's elapsed time the same way), so the SMTP session is never stalled by slow DNS.
import { dnsError, type ResolveFn } from '../dns/resolver.ts'

export interface DeadlineResolver {
  resolve: ResolveFn
  /** True once the budget was spent. */
  isExpired: () => boolean
  /** Stops the timer (call when the check is over). */
  dispose: () => void
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  },
}

export function withDeadline(
  resolve: ResolveFn,
  timeoutMs: number,
  timers: Timers = realTimers,
): DeadlineResolver {
  let expired = false
  let expire: () => void = () => undefined
  const expiry = new Promise<never>((_resolve, reject) => {
    expire = () => {
      reject(dnsError('ETIMEOUT', 'email authentication', 'budget'))
    }
  })
  // The rejection is observed by every race below; this keeps an unused one quiet.
  expiry.catch(() => undefined)
  const handle = timers.setTimeout(() => {
    expired = true
    expire()
  }, timeoutMs)
  return {
    resolve: (name, rrtype) => {
      if (expired) return Promise.reject(dnsError('ETIMEOUT', name, rrtype))
      return Promise.race([resolve(name, rrtype), expiry])
    },
    isExpired: () => expired,
    dispose: () => {
      timers.clearTimeout(handle)
    },
  }
}
