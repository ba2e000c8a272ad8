// SRS, the Sender Rewriting Scheme (Shevek, "Sender Rewriting Scheme", 2004; referenced by
// RFC 7208 appendix D.2 and RFC 7489 appendix B.3): a forwarder rewrites the envelope sender
// into an address of its own domain, so that SPF checks of the forwarded copy ask about the
// forwarder, and bounces come back to the forwarder, which reverses the address.
//
//   SRS0=HHHH=TT=orig-domain=orig-local@forwarder            first forwarding
//   SRS1=HHHH=first-forwarder==HHHH=TT=orig-domain=orig-local@forwarder   re-forwarding
//
// HHHH: HMAC-SHA1 under a secret, base64, 4 characters (compared case-insensitively: some
// mail systems lower-case local parts); TT: the day (days since the epoch, modulo 1024) in two
// base32 characters. An SRS0 address reverses only with a correct hash and while younger than
// maxAgeDays; an SRS1 address (first forwarder's SRS0 address wrapped) reverses to that SRS0
// address at the first forwarder.
import { createHmac, timingSafeEqual } from 'node:crypto'

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const DAY_MS = 86_400_000
/** TT wraps every 1024 days (two base32 characters, 10 bits). */
const TT_MODULO = 1024
const HASH_LENGTH = 4

export interface SrsOptions {
  /** The HMAC key (at least 16 bytes of secret). */
  secret: Buffer
  /** Addresses older than this many days do not reverse (default 21, as postsrsd). */
  maxAgeDays?: number
  clock: () => number
}

export type SrsReverse =
  | { kind: 'ok'; address: string }
  | { kind: 'not-srs' }
  | { kind: 'invalid'; reason: 'syntax' | 'hash' | 'expired' }

export class Srs {
  readonly #secret: Buffer
  readonly #maxAgeDays: number
  readonly #clock: () => number

  constructor(opts: SrsOptions) {
    if (opts.secret.length < 16) throw new Error('the SRS secret must have at least 16 bytes')
    this.#secret = opts.secret
    this.#maxAgeDays = opts.maxAgeDays ?? 21
    this.#clock = opts.clock
  }

  /**
   * The envelope sender to use when forwarding a message from `sender` through `domain`.
   * The null sender stays null; an SRS address gets the SRS1 form (its first forwarder kept).
   */
  forward(sender: string, domain: string): string {
    if (sender === '') return ''
    const at = sender.lastIndexOf('@')
    if (at < 1) return sender
    const local = sender.slice(0, at)
    const senderDomain = sender.slice(at + 1)
    const srs1 = /^SRS1[=+-]([^=]+)=([^=]+)=(=.*)$/i.exec(local)
    if (srs1) {
      // Re-forwarding an SRS1 address: keep the first forwarder and its SRS0 tail.
      const [, , first = '', tail = ''] = srs1
      return `SRS1=${this.#hash(first, tail)}=${first}=${tail}@${domain}`
    }
    if (/^SRS0[=+-]/i.test(local)) {
      const tail = `=${local.slice(5)}`
      return `SRS1=${this.#hash(senderDomain, tail)}=${senderDomain}=${tail}@${domain}`
    }
    const tt = this.#timestamp()
    return `SRS0=${this.#hash(tt, senderDomain, local)}=${tt}=${senderDomain}=${local}@${domain}`
  }

  /** The address an SRS address (local part `local`, at one of our domains) stands for. */
  reverse(address: string): SrsReverse {
    const at = address.lastIndexOf('@')
    const local = at < 0 ? address : address.slice(0, at)
    if (/^SRS0[=+-]/i.test(local)) return this.#reverse0(local)
    if (/^SRS1[=+-]/i.test(local)) return this.#reverse1(local)
    return { kind: 'not-srs' }
  }

  #reverse0(local: string): SrsReverse {
    const m = /^SRS0[=+-]([^=]+)=([^=]{2})=([^=]+)=(.+)$/i.exec(local)
    if (!m) return { kind: 'invalid', reason: 'syntax' }
    const [, hash = '', tt = '', domain = '', origLocal = ''] = m
    if (!this.#hashMatches(hash, this.#hash(tt, domain, origLocal))) {
      return { kind: 'invalid', reason: 'hash' }
    }
    const age = this.#ageDays(tt)
    if (age === undefined) return { kind: 'invalid', reason: 'syntax' }
    if (age > this.#maxAgeDays) return { kind: 'invalid', reason: 'expired' }
    return { kind: 'ok', address: `${origLocal}@${domain}` }
  }

  #reverse1(local: string): SrsReverse {
    const m = /^SRS1[=+-]([^=]+)=([^=]+)=(=.+)$/i.exec(local)
    if (!m) return { kind: 'invalid', reason: 'syntax' }
    const [, hash = '', first = '', tail = ''] = m
    if (!this.#hashMatches(hash, this.#hash(first, tail))) {
      return { kind: 'invalid', reason: 'hash' }
    }
    return { kind: 'ok', address: `SRS0${tail}@${first}` }
  }

  #hash(...parts: string[]): string {
    const mac = createHmac('sha1', this.#secret)
    for (const part of parts) mac.update(part.toLowerCase())
    return mac.digest('base64').slice(0, HASH_LENGTH)
  }

  #hashMatches(given: string, expected: string): boolean {
    if (given.length !== expected.length) return false
    const a = Buffer.from(given.toLowerCase())
    const b = Buffer.from(expected.toLowerCase())
    return timingSafeEqual(a, b)
  }

  #timestamp(): string {
    const day = Math.floor(this.#clock() / DAY_MS) % TT_MODULO
    return `${BASE32.charAt(day >> 5)}${BASE32.charAt(day & 31)}`
  }

  /** Days since the TT stamp (modulo 1024); undefined for characters outside base32. */
  #ageDays(tt: string): number | undefined {
    const hi = BASE32.indexOf(tt.charAt(0).toUpperCase())
    const lo = BASE32.indexOf(tt.charAt(1).toUpperCase())
    if (hi < 0 || lo < 0) return undefined
    const today = Math.floor(this.#clock() / DAY_MS) % TT_MODULO
    return (today - ((hi << 5) | lo) + TT_MODULO) % TT_MODULO
  }
}
