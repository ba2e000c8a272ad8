// A rate limit over a sliding window: at most `limit` events in any `windowMs` span (e.g. 120
// messages per minute to one domain). Chosen over a token bucket because a bucket with a burst
// lets up to twice the limit through in one window; this holds the limit over every window.
// The clock is the caller's (every method takes `now`), so tests run on virtual time.

export class SlidingWindow {
  readonly #limit: number
  readonly #windowMs: number
  /** Times of the events inside the window, oldest first (at most `limit`). */
  #times: number[] = []

  constructor(opts: { limit: number; windowMs: number }) {
    if (opts.limit < 1) throw new Error('a rate limit needs at least one event per window')
    this.#limit = opts.limit
    this.#windowMs = opts.windowMs
  }

  #expire(now: number): void {
    let drop = 0
    while (drop < this.#times.length && (this.#times[drop] ?? 0) <= now - this.#windowMs) drop++
    if (drop > 0) this.#times = this.#times.slice(drop)
  }

  /** When the next event may happen (≤ now: at once). */
  nextFreeAt(now: number): number {
    this.#expire(now)
    if (this.#times.length < this.#limit) return now
    return (this.#times[0] ?? now) + this.#windowMs
  }

  /** Records an event at `now` if the limit allows; else says when to come back. */
  tryTake(now: number): { ok: true } | { ok: false; retryAt: number } {
    const at = this.nextFreeAt(now)
    if (at > now) return { ok: false, retryAt: at }
    this.#times.push(now)
    return { ok: true }
  }

  /** True when nothing happened within the window (the entry can be forgotten). */
  isIdle(now: number): boolean {
    this.#expire(now)
    return this.#times.length === 0
  }
}
