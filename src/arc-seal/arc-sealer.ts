// ARC sealing (RFC 8617 5.1) of messages Postern forwards: an ARC set of three header fields,
// ARC-Authentication-Results (the results Postern found, RFC 8617 4.1.1), ARC-Message-Signature
// (a DKIM-like signature of the message, 4.1.2) and ARC-Seal (a signature over the ARC sets,
// 4.1.3), signed with the forwarding domain's DKIM key (RSA preferred: rsa-sha256 is what every
// ARC verifier accepts). Signing by mailauth's sealMessage. The instance i= follows the chain
// already on the message; cv= is the chain validation result (RFC 8617 5.1.2: "none" for the
// first set).
import { sealMessage } from 'mailauth'

export interface ArcKey {
  selector: string
  privateKey: Buffer
  algorithm: string
}

export interface ArcKeySource {
  /** The domain's signing keys; RSA ones are used first. */
  keysFor(domain: string): Promise<ArcKey[]>
}

export interface SealInput {
  /** The message as it will be sent (header fields prepended so far included), CRLF. */
  message: Buffer
  /** The signing domain (d=); its DKIM key signs. */
  domain: string
  /** Authentication-Results payload: "authserv-id; results" (without a field name or i=). */
  authResults: string
  /** The ARC chain validation result of the message as received. */
  chain: string
  /** Signing time (t=). */
  now: number
}

export class ArcSealer {
  readonly #keys: ArcKeySource

  constructor(opts: { keys: ArcKeySource }) {
    this.#keys = opts.keys
  }

  /**
   * The ARC set to prepend (CRLF-terminated fields), or undefined when the domain has no key
   * or the message cannot be sealed (a chain that already failed, or 50 sets: RFC 8617 5.1.1).
   */
  async seal(input: SealInput): Promise<string | undefined> {
    const keys = await this.#keys.keysFor(input.domain)
    const key = keys.find((k) => k.algorithm.startsWith('rsa')) ?? keys[0]
    if (key === undefined) return undefined
    const headers = await sealMessage(input.message, {
      signingDomain: input.domain,
      selector: key.selector,
      privateKey: key.privateKey,
      authResults: input.authResults.replace(/\r?\n[ \t]+/g, ' ').trim(),
      cv: chainValidation(input.chain),
      signTime: new Date(input.now),
    })
    if (headers.length === 0) return undefined
    const text = headers.toString('utf8')
    return text.endsWith('\r\n') ? text : `${text.replace(/\n?$/, '')}\r\n`
  }
}

/** RFC 8617 4.1.3 cv=: none (no chain), pass, or fail (anything that did not validate). */
function chainValidation(result: string): 'none' | 'pass' | 'fail' {
  if (result === 'none' || result === 'pass') return result
  return 'fail'
}
