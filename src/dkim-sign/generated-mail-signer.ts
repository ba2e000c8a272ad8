// DKIM signing (RFC 6376 5) of the mail Postern writes itself: delivery status notifications
// (From MAILER-DAEMON@<hostname>) and DMARC aggregate reports (From dmarc-reports@<domain>).
// Receivers judge them by DMARC like any mail, so they are signed with the same keys and the
// same signer as submitted mail (dkim-signer.ts: RSA and Ed25519, relaxed/relaxed).
//
// The signing domain (d=) is the From domain when it is a local domain with keys, else the
// closest local parent domain with keys within the same Organizational Domain: RFC 7489 3.1.1
// relaxed alignment passes when the Organizational Domains of d= and the From domain match, so
// MAILER-DAEMON@mx.example.com signed d=example.com aligns. Never above the Organizational
// Domain (a public suffix signs nothing). A From domain with no such key goes out unsigned,
// and that is logged once per domain (not once per message).
import { isAligned, normalizeDomain, organizationalDomain } from '../email-auth/org-domain.ts'
import { logEvent } from '../telemetry/events.ts'
import type { Logger } from '../telemetry/logger.ts'
import type { DkimSigner } from './dkim-signer.ts'

export interface GeneratedMailSignerOptions {
  signer: Pick<DkimSigner, 'sign'>
  /** Whether a domain is one of the server's local domains. */
  isLocalDomain: (domain: string) => Promise<boolean>
  clock: () => number
  logger?: Logger
  /** From domains remembered as "warned unsigned" at most (bounded memory); default 1000. */
  maxWarnedDomains?: number
}

export type GeneratedSignResult =
  | { kind: 'signed'; message: Buffer; domain: string; selectors: string[] }
  | { kind: 'unsigned'; message: Buffer; reason: string }

export class GeneratedMailSigner {
  readonly #o: GeneratedMailSignerOptions
  readonly #warned = new Set<string>()

  constructor(opts: GeneratedMailSignerOptions) {
    this.#o = opts
  }

  /** The message with DKIM-Signature fields prepended, or unchanged when it cannot be signed. */
  async signGenerated(raw: Buffer, fromDomain: string): Promise<Buffer> {
    return (await this.sign(raw, fromDomain)).message
  }

  /** Signs `raw` (CRLF, complete) for its header From domain `fromDomain`. Never throws. */
  async sign(raw: Buffer, fromDomain: string): Promise<GeneratedSignResult> {
    const from = normalizeDomain(fromDomain)
    const errors: string[] = []
    for (const domain of signingCandidates(from)) {
      try {
        if (!(await this.#o.isLocalDomain(domain))) continue
        const out = await this.#o.signer.sign({
          message: raw,
          domain,
          signTime: new Date(this.#o.clock()),
        })
        errors.push(...out.errors)
        if (out.signatures === '') continue
        if (out.errors.length > 0) this.#log('dkim.generated-sign-failed', { domain, errors })
        const message = Buffer.concat([Buffer.from(out.signatures, 'utf8'), raw])
        this.#log('dkim.generated-signed', { from, domain, selectors: out.selectors }, 'debug')
        return { kind: 'signed', message, domain, selectors: out.selectors }
      } catch (err) {
        errors.push(`${domain}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    const reason =
      errors.length > 0 ? errors.join('; ') : 'no local domain with DKIM keys aligns with it'
    this.#warnOnce(from === '' ? fromDomain : from, reason)
    return { kind: 'unsigned', message: raw, reason }
  }

  #warnOnce(from: string, reason: string): void {
    const key = from.toLowerCase()
    if (this.#warned.has(key)) return
    if (this.#warned.size >= (this.#o.maxWarnedDomains ?? 1000)) this.#warned.clear()
    this.#warned.add(key)
    this.#log('dkim.generated-unsigned', { from, reason }, 'warn')
  }

  #log(
    event: 'dkim.generated-signed' | 'dkim.generated-unsigned' | 'dkim.generated-sign-failed',
    fields: Record<string, unknown>,
    level: 'debug' | 'warn' = 'warn',
  ): void {
    if (this.#o.logger !== undefined) logEvent(this.#o.logger, event, fields, level)
  }
}

/**
 * The domains that may sign for `from`, nearest first: the domain itself, then each parent
 * down to its Organizational Domain (RFC 7489 3.2), each of which aligns with `from` in relaxed
 * mode (RFC 7489 3.1.1). Only the domain itself when it has no Organizational Domain.
 */
export function signingCandidates(from: string): string[] {
  const name = normalizeDomain(from)
  if (name === '') return []
  const org = organizationalDomain(name)
  if (org === undefined) return [name]
  const out = [name]
  let current = name
  // Bounded: a name has at most 127 labels; each step removes one.
  for (let i = 0; i < 127 && current !== org && current.endsWith(`.${org}`); i++) {
    current = current.slice(current.indexOf('.') + 1)
    if (isAligned(current, name, 'r')) out.push(current)
  }
  return out
}

/** The domain of an address or of a From value ("Name <a@b>" or "a@b"); '' when none. */
export function addressDomain(address: string): string {
  const bare = /<([^<>]*)>/.exec(address)?.[1] ?? address
  const at = bare.lastIndexOf('@')
  return at < 0 ? '' : bare.slice(at + 1).trim()
}
