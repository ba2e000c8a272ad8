// Failed AUTH attempts per client IP (RFC 4954 15 asks servers to resist password guessing):
// after `maxFailures` failures within `windowMs`, the IP may not authenticate until the
// oldest of those failures leaves the window. Shared by the submission listeners; in memory
// (a restart forgets it, which only gives a guesser one more window). Bounded: at most
// `maxTrackedIps` addresses are tracked, the least recently failed are forgotten first.

export interface AuthLimiterOptions {
  maxFailures: number
  windowMs: number
  clock: () => number
  /** Addresses tracked at most (memory bound); default 10 000. */
  maxTrackedIps?: number
}

export class AuthFailureLimiter {
  readonly #opts: Required<AuthLimiterOptions>
  /** Failure times per IP, oldest first; the Map's order is the order of last failure. */
  readonly #failures = new Map<string, number[]>()

  constructor(opts: AuthLimiterOptions) {
    this.#opts = { maxTrackedIps: 10_000, ...opts }
  }

  /** Whether the IP has used up its failures in the current window. */
  isBlocked(ip: string): boolean {
    return this.#recent(ip).length >= this.#opts.maxFailures
  }

  /** Records one failure; returns whether the IP is now blocked. */
  recordFailure(ip: string): boolean {
    const times = this.#recent(ip)
    times.push(this.#opts.clock())
    this.#failures.delete(ip)
    this.#failures.set(ip, times)
    if (this.#failures.size > this.#opts.maxTrackedIps) {
      const oldest = this.#failures.keys().next()
      if (oldest.done !== true) this.#failures.delete(oldest.value)
    }
    return times.length >= this.#opts.maxFailures
  }

  /** The failures of the IP still inside the window (older ones are dropped). */
  #recent(ip: string): number[] {
    const times = this.#failures.get(ip)
    if (times === undefined) return []
    const since = this.#opts.clock() - this.#opts.windowMs
    const kept = times.filter((t) => t > since)
    if (kept.length === 0) this.#failures.delete(ip)
    else this.#failures.set(ip, kept)
    return kept
  }
}
