// SCRAM-SHA-256 (RFC 7677, on the SCRAM framework of RFC 5802), server side, pure: the
// per-account secret derived when a password is set (salt, iteration count, StoredKey and
// ServerKey, RFC 5802 3; the password itself is never needed again), and the two steps of an
// exchange: the client-first message answered with the server-first one, and the client-final
// message checked (ClientProof against StoredKey) and answered with the ServerSignature.
// Channel binding (-PLUS) is not offered, so "y" and "n" GS2 flags are accepted and "p=" is
// refused (RFC 5802 6). Passwords are normalised with NFKC, the core of SASLprep (RFC 4013).
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'

/** RFC 7677 4: at least 4096 iterations. */
export const SCRAM_ITERATIONS = 4096
const MAX_ITERATIONS = 1_000_000
const SALT_BYTES = 16
const NONCE_BYTES = 18

export interface ScramSecret {
  iterations: number
  salt: Buffer
  storedKey: Buffer
  serverKey: Buffer
}

/** Malformed or failed exchange; `reason` is for logs, never for the client. */
export class ScramError extends Error {
  readonly kind: 'syntax' | 'unsupported' | 'failed'

  constructor(kind: ScramError['kind'], reason: string) {
    super(reason)
    this.name = 'ScramError'
    this.kind = kind
  }
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest()
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest()

/** RFC 5802 3: SaltedPassword = Hi(Normalize(password), salt, i); StoredKey, ServerKey. */
export function deriveScramSecret(
  password: string,
  opts: { iterations?: number; salt?: Buffer } = {},
): ScramSecret {
  const iterations = opts.iterations ?? SCRAM_ITERATIONS
  const salt = opts.salt ?? randomBytes(SALT_BYTES)
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256')
  return {
    iterations,
    salt,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  }
}

/** "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", base64 (PostgreSQL's form). */
export function formatScramSecret(s: ScramSecret): string {
  const b = (x: Buffer): string => x.toString('base64')
  return `SCRAM-SHA-256$${s.iterations}:${b(s.salt)}$${b(s.storedKey)}:${b(s.serverKey)}`
}

export function parseScramSecret(text: string): ScramSecret | undefined {
  const m =
    /^SCRAM-SHA-256\$(\d{1,7}):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text)
  if (!m) return undefined
  const iterations = Number(m[1])
  const storedKey = Buffer.from(m[3] ?? '', 'base64')
  const serverKey = Buffer.from(m[4] ?? '', 'base64')
  if (iterations < 1 || iterations > MAX_ITERATIONS) return undefined
  if (storedKey.length !== 32 || serverKey.length !== 32) return undefined
  return { iterations, salt: Buffer.from(m[2] ?? '', 'base64'), storedKey, serverKey }
}

export interface ClientFirst {
  /** The GS2 header as sent ("n,," or "y,,"), part of the channel binding check. */
  gs2Header: string
  authzid: string
  /** The user name, with =2C and =3D decoded (RFC 5802 5.1). */
  username: string
  clientNonce: string
  /** client-first-message-bare, part of the AuthMessage. */
  bare: string
}

/** RFC 5802 7: gs2-header client-first-message-bare. */
export function parseClientFirst(message: string): ClientFirst {
  const m = /^([nyp])(=[^,]*)?,(a=[^,]*)?,(.*)$/s.exec(message)
  if (!m) throw new ScramError('syntax', 'bad GS2 header')
  if (m[1] === 'p') throw new ScramError('unsupported', 'channel binding is not offered')
  if (m[2] !== undefined) throw new ScramError('syntax', 'bad GS2 flag')
  const bare = m[4] ?? ''
  // RFC 5802 5.1: "m" (reserved-mext) is a mandatory extension we do not know: fail.
  const attrs = bare.split(',')
  if (attrs[0]?.startsWith('m=') === true) throw new ScramError('unsupported', 'extension m=')
  const [user, nonce] = attrs
  if (user?.startsWith('n=') !== true || nonce?.startsWith('r=') !== true) {
    throw new ScramError('syntax', 'client-first needs n= and r=')
  }
  const clientNonce = nonce.slice(2)
  if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw new ScramError('syntax', 'bad nonce')
  return {
    gs2Header: message.slice(0, message.length - bare.length),
    authzid: decodeSaslName((m[3] ?? 'a=').slice(2)),
    username: decodeSaslName(user.slice(2)),
    clientNonce,
    bare,
  }
}

/** RFC 5802 5.1 saslname: "=2C" is ",", "=3D" is "="; any other "=" is an error. */
function decodeSaslName(text: string): string {
  if (/=(?!2C|3D)/.test(text)) throw new ScramError('syntax', 'bad saslname')
  return text.replace(/=2C/g, ',').replace(/=3D/g, '=')
}

export interface ScramServerState {
  first: ClientFirst
  nonce: string
  serverFirst: string
  secret: ScramSecret
}

/**
 * RFC 5802 5.1 server-first-message: "r=" client+server nonce, "s=" salt, "i=" iterations.
 * For an unknown user, pass a made-up secret (same shape) so the answer does not tell.
 */
export function serverFirst(first: ClientFirst, secret: ScramSecret): ScramServerState {
  const nonce = first.clientNonce + randomBytes(NONCE_BYTES).toString('base64')
  const text = `r=${nonce},s=${secret.salt.toString('base64')},i=${secret.iterations}`
  return { first, nonce, serverFirst: text, secret }
}

/**
 * RFC 5802 5.1/3: checks client-final-message (channel binding, nonce, proof) and returns the
 * server-final-message "v=ServerSignature". Throws ScramError('failed') on a wrong proof.
 */
export function verifyClientFinal(state: ScramServerState, message: string): string {
  const cut = message.lastIndexOf(',p=')
  if (cut < 0) throw new ScramError('syntax', 'client-final needs p=')
  const withoutProof = message.slice(0, cut)
  const proof = Buffer.from(message.slice(cut + 3), 'base64')
  const [binding, nonce] = withoutProof.split(',')
  if (binding !== `c=${Buffer.from(state.first.gs2Header).toString('base64')}`) {
    throw new ScramError('failed', 'channel binding mismatch')
  }
  if (nonce !== `r=${state.nonce}`) throw new ScramError('failed', 'nonce mismatch')
  const authMessage = `${state.first.bare},${state.serverFirst},${withoutProof}`
  const { storedKey, serverKey } = state.secret
  const signature = hmac(storedKey, authMessage)
  if (proof.length !== signature.length) throw new ScramError('failed', 'bad proof length')
  const clientKey = Buffer.alloc(signature.length)
  for (let i = 0; i < signature.length; i++) {
    clientKey[i] = (proof[i] ?? 0) ^ (signature[i] ?? 0)
  }
  if (!timingSafeEqual(sha256(clientKey), storedKey)) {
    throw new ScramError('failed', 'wrong proof')
  }
  return `v=${hmac(serverKey, authMessage).toString('base64')}`
}
