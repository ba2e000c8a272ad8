// DKIM signing (RFC 6376 5) of submitted mail with mailauth's signer: one signature per key
// of the signing domain, RSA (rsa-sha256, RFC 6376 3.3) and Ed25519 (ed25519-sha256, RFC 8463
// 3), both relaxed/relaxed (RFC 6376 3.4.2, 3.4.4), over the header fields that carry the
// message's meaning (RFC 6376 5.4.1). A domain without keys gets no signature; a key that
// cannot sign is reported, and the message goes out with the signatures that worked.
import { dkimSign } from 'mailauth'
import type { DkimKeyStore } from './dkim-keys.ts'

/** RFC 6376 5.4.1: the fields a verifier should find signed; present ones are signed. */
export const SIGNED_HEADER_FIELDS: readonly string[] = [
  'from',
  'sender',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'to',
  'cc',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-language',
  'in-reply-to',
  'references',
  'list-id',
  'list-help',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'list-subscribe',
  'list-post',
  'list-owner',
  'list-archive',
  'autocrypt',
]

export interface DkimSignInput {
  /** The whole message as it will be stored and sent (CRLF line ends). */
  message: Buffer
  /** The signing domain (d=): the header From's domain. */
  domain: string
  /** The signature time (t=). */
  signTime: Date
}

export interface DkimSignOutcome {
  /** DKIM-Signature fields to prepend, each ending with CRLF; '' when none was made. */
  signatures: string
  /** The selectors that signed. */
  selectors: string[]
  /** Why a key could not sign (logged by the caller). */
  errors: string[]
}

export class DkimSigner {
  readonly #keys: DkimKeyStore

  constructor(opts: { keys: DkimKeyStore }) {
    this.#keys = opts.keys
  }

  async sign(input: DkimSignInput): Promise<DkimSignOutcome> {
    const domain = input.domain.toLowerCase()
    const keys = await this.#keys.keysFor(domain)
    const [first] = keys
    if (first === undefined) return { signatures: '', selectors: [], errors: [] }
    const signatureData = keys.map((key) => ({
      signingDomain: domain,
      selector: key.selector,
      privateKey: key.privateKey,
      algorithm: key.algorithm,
      canonicalization: 'relaxed/relaxed',
    }))
    const result = await dkimSign(input.message, {
      // The top-level key fields are what the type asks for; signatureData lists every key.
      signingDomain: domain,
      selector: first.selector,
      privateKey: first.privateKey,
      canonicalization: 'relaxed/relaxed',
      headerList: [...SIGNED_HEADER_FIELDS],
      signTime: input.signTime,
      signatureData,
      strict: true,
    })
    const failed = new Set(result.errors.map((e) => e.selector))
    return {
      signatures: result.signatures,
      selectors: keys.map((k) => k.selector).filter((s) => !failed.has(s)),
      errors: result.errors.map((e) => `${e.selector ?? '?'}: ${e.err.message}`),
    }
  }
}
