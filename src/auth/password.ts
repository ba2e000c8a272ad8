// Password hashing with scrypt (RFC 7914) in PHC string format:
//   $scrypt$ln=15,r=8,p=1$<salt, base64 without padding>$<hash, base64 without padding>
// where N = 2^ln. Verification reads the parameters from the stored string (bounded, so a
// tampered string cannot ask for unbounded memory or time) and compares in constant time.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const DEFAULT_LOG_N = 15
const DEFAULT_R = 8
const DEFAULT_P = 1
const SALT_BYTES = 16
const HASH_BYTES = 32

interface ScryptParams {
  logN: number
  r: number
  p: number
}

function scryptAsync(
  plain: string,
  salt: Buffer,
  keylen: number,
  p: ScryptParams,
): Promise<Buffer> {
  const N = 2 ** p.logN
  // scrypt needs 128 * N * r bytes (plus a little): give it twice that.
  const options: ScryptOptions = { N, r: p.r, p: p.p, maxmem: 256 * N * p.r }
  return new Promise((resolve, reject) => {
    scrypt(plain.normalize('NFC'), salt, keylen, options, (err, key) => {
      if (err) reject(err)
      else resolve(key)
    })
  })
}

function b64(buf: Buffer): string {
  return buf.toString('base64').replace(/=+$/, '')
}

export async function hashPassword(plain: string): Promise<string> {
  const params = { logN: DEFAULT_LOG_N, r: DEFAULT_R, p: DEFAULT_P }
  const salt = randomBytes(SALT_BYTES)
  const hash = await scryptAsync(plain, salt, HASH_BYTES, params)
  return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`
}

interface ParsedPhc {
  params: ScryptParams
  salt: Buffer
  hash: Buffer
}

const B64 = /^[A-Za-z0-9+/]+$/

/** Parses a `$scrypt$...` PHC string; undefined when malformed or out of bounds. */
function parsePhc(phc: string): ParsedPhc | undefined {
  const parts = phc.split('$')
  if (parts.length !== 5 || parts[0] !== '' || parts[1] !== 'scrypt') return undefined
  const [, , paramText = '', saltText = '', hashText = ''] = parts
  const m = /^ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})$/.exec(paramText)
  if (!m) return undefined
  const params = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) }
  // Bounds: at most 2^20 * 128 * 16 bytes = 2 GiB would be absurd; keep it sane.
  if (params.logN < 1 || params.logN > 20) return undefined
  if (params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16) return undefined
  if (128 * 2 ** params.logN * params.r > 256 * 1024 * 1024) return undefined
  if (!B64.test(saltText) || !B64.test(hashText)) return undefined
  const salt = Buffer.from(saltText, 'base64')
  const hash = Buffer.from(hashText, 'base64')
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined
  return { params, salt, hash }
}

/** True when `plain` matches the PHC string; false when it does not or `phc` is malformed. */
export async function verifyPassword(plain: string, phc: string): Promise<boolean> {
  const parsed = parsePhc(phc)
  if (!parsed) return false
  const actual = await scryptAsync(plain, parsed.salt, parsed.hash.length, parsed.params)
  return timingSafeEqual(actual, parsed.hash)
}
