// Outbound throttles (STYLE.md, after Stalwart queue/throttle.rs): per destination domain a
// maximum of deliveries in progress and of messages per minute, overridable per domain; per
// submitting account a maximum of messages per hour; and a back-off of a domain that asked us to
// slow down (421, 4.7.x), doubling on repeats. A throttle never fails a recipient: it answers
// with a time (`retryAt`) and the scheduler reschedules. Keys come from one function.

import { SlidingWindow } from './sliding-window.ts'

export interface DomainLimits {
  maxConcurrent: number
  maxPerMinute: number
}

export interface ThrottleSettings {
  /** false: no domain or account limits (the slow-down back-off still applies). */
  enabled: boolean
  domainDefaults: DomainLimits
  /** Lower-cased domain → its limits. */
  domainOverrides: ReadonlyMap<string, DomainLimits>
  /** 0 = no limit. */
  accountMaxPerHour: number
  /** First pause after a slow-down reply; doubles on each repeat up to maxSlowdownPauseMs. */
  slowdownPauseMs: number
  maxSlowdownPauseMs: number
}

export type ThrottleDimension = 'domain' | 'account'

/** The one place throttle keys are built. */
export function throttleKey(dimension: ThrottleDimension, value: string | number): string {
  return `${dimension}:${String(value).toLowerCase()}`
}

export interface Permit {
  domain: string
}

export type ThrottleDecision =
  { kind: 'go'; permit: Permit } | { kind: 'wait'; retryAt: number; reason: string }

const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000

/** Parses "domain:max_concurrent:max_per_minute" overrides (queue.domain_limits). */
export function parseDomainLimits(entries: readonly string[]): Map<string, DomainLimits> {
  const out = new Map<string, DomainLimits>()
  for (const entry of entries) {
    const [domain = '', concurrent = '', perMinute = ''] = entry.split(':')
    const limits = { maxConcurrent: Number(concurrent), maxPerMinute: Number(perMinute) }
    if (domain === '' || !(limits.maxConcurrent >= 1) || !(limits.maxPerMinute >= 1)) {
      throw new Error(`bad domain limit "${entry}" (want "domain:max_concurrent:max_per_minute")`)
    }
    out.set(domain.toLowerCase(), limits)
  }
  return out
}

export class Throttle {
  readonly #s: ThrottleSettings
  readonly #active = new Map<string, number>()
  readonly #windows = new Map<string, SlidingWindow>()
  readonly #backoff = new Map<string, { level: number; until: number }>()
  /**
   * Messages already counted against their account's hourly limit ("account:message" → when),
   * oldest first: a message to several domains, or retried, counts once.
   */
  readonly #admitted = new Map<string, number>()

  constructor(settings: ThrottleSettings) {
    this.#s = settings
  }

  limitsFor(domain: string): DomainLimits {
    return this.#s.domainOverrides.get(domain.toLowerCase()) ?? this.#s.domainDefaults
  }

  #window(key: string, limit: number, windowMs: number): SlidingWindow {
    let w = this.#windows.get(key)
    if (w === undefined) {
      w = new SlidingWindow({ limit, windowMs })
      this.#windows.set(key, w)
    }
    return w
  }

  #accountWindow(accountId: number): SlidingWindow | undefined {
    if (!this.#s.enabled || this.#s.accountMaxPerHour === 0) return undefined
    return this.#window(throttleKey('account', accountId), this.#s.accountMaxPerHour, HOUR_MS)
  }

  #domainWindow(domain: string): SlidingWindow | undefined {
    if (!this.#s.enabled) return undefined
    const key = throttleKey('domain', domain)
    return this.#window(key, this.limitsFor(domain).maxPerMinute, MINUTE_MS)
  }

  /**
   * Asks to start one delivery to `domain` for message `messageId` of `accountId` (if
   * submitted). The account's hourly limit counts messages: a message already admitted (an
   * earlier domain or attempt) passes it without counting again.
   */
  acquire(input: {
    domain: string
    accountId?: number
    messageId?: number
    now: number
  }): ThrottleDecision {
    const { domain, now } = input
    const key = throttleKey('domain', domain)
    const paused = this.#backoff.get(key)
    if (paused !== undefined && paused.until > now) {
      return { kind: 'wait', retryAt: paused.until, reason: 'domain asked to slow down' }
    }
    if (this.#s.enabled && (this.#active.get(key) ?? 0) >= this.limitsFor(domain).maxConcurrent) {
      // Due again as soon as a delivery to the domain ends (the scheduler is woken then).
      return { kind: 'wait', retryAt: now, reason: 'domain concurrency limit' }
    }
    const domainWindow = this.#domainWindow(domain)
    const domainNext = domainWindow?.nextFreeAt(now) ?? now
    if (domainNext > now) return { kind: 'wait', retryAt: domainNext, reason: 'domain rate limit' }
    const admittedKey =
      input.accountId === undefined
        ? undefined
        : `${String(input.accountId)}:${String(input.messageId ?? '')}`
    const isAdmitted =
      admittedKey !== undefined && input.messageId !== undefined && this.#admitted.has(admittedKey)
    const accountWindow =
      input.accountId === undefined || isAdmitted ? undefined : this.#accountWindow(input.accountId)
    const accountNext = accountWindow?.nextFreeAt(now) ?? now
    if (accountNext > now) {
      return { kind: 'wait', retryAt: accountNext, reason: 'account hourly limit' }
    }
    domainWindow?.tryTake(now)
    if (accountWindow !== undefined) {
      accountWindow.tryTake(now)
      if (admittedKey !== undefined && input.messageId !== undefined) this.#admit(admittedKey, now)
    }
    this.#active.set(key, (this.#active.get(key) ?? 0) + 1)
    return { kind: 'go', permit: { domain } }
  }

  /** Remembers an admitted message for an hour (the window it counted in). */
  #admit(key: string, now: number): void {
    this.#admitted.set(key, now)
    for (const [old, at] of this.#admitted) {
      if (at > now - HOUR_MS) break
      this.#admitted.delete(old)
    }
  }

  release(permit: Permit): void {
    const key = throttleKey('domain', permit.domain)
    const n = (this.#active.get(key) ?? 1) - 1
    if (n <= 0) this.#active.delete(key)
    else this.#active.set(key, n)
  }

  /** The domain replied "slow down": pause it; returns when the pause ends. */
  slowDown(domain: string, now: number): number {
    const key = throttleKey('domain', domain)
    const level = (this.#backoff.get(key)?.level ?? 0) + 1
    const pause = Math.min(this.#s.slowdownPauseMs * 2 ** (level - 1), this.#s.maxSlowdownPauseMs)
    const until = now + pause
    this.#backoff.set(key, { level, until })
    return until
  }

  /** A delivery to the domain succeeded: its back-off starts over. */
  recovered(domain: string): void {
    this.#backoff.delete(throttleKey('domain', domain))
  }

  /** When the domain's slow-down pause ends, if it is paused at `now`. */
  pausedUntil(domain: string, now: number): number | undefined {
    const b = this.#backoff.get(throttleKey('domain', domain))
    return b !== undefined && b.until > now ? b.until : undefined
  }

  /**
   * What cannot start at `now`: domains and accounts to leave out of the due query, and the
   * earliest time one of them frees up by the clock (concurrency frees up on release).
   */
  blocked(now: number): { domains: string[]; accounts: number[]; nextChangeAt?: number } {
    const domains = new Set<string>()
    const accounts: number[] = []
    let next: number | undefined
    const later = (at: number): void => {
      if (next === undefined || at < next) next = at
    }
    for (const [key, b] of this.#backoff) {
      if (b.until > now) {
        domains.add(key.slice('domain:'.length))
        later(b.until)
      }
    }
    if (this.#s.enabled) {
      for (const [key, n] of this.#active) {
        const domain = key.slice('domain:'.length)
        if (n >= this.limitsFor(domain).maxConcurrent) domains.add(domain)
      }
      for (const [key, w] of this.#windows) {
        const at = w.nextFreeAt(now)
        if (at > now) {
          later(at)
          if (key.startsWith('domain:')) domains.add(key.slice('domain:'.length))
          else accounts.push(Number(key.slice('account:'.length)))
        } else if (w.isIdle(now)) this.#windows.delete(key)
      }
    }
    const out: { domains: string[]; accounts: number[]; nextChangeAt?: number } = {
      domains: [...domains],
      accounts,
    }
    if (next !== undefined) out.nextChangeAt = next
    return out
  }
}
