// The DKIM private keys of the local domains (RFC 6376 3.3 rsa-sha256, RFC 8463 3
// ed25519-sha256), read from PEM files whose paths the caller names per domain (`postern init`
// and `domain add` write DIR/dkim/<domain>.<selector>.{rsa,ed25519}.pem). Keys are loaded once
// and cached; a domain without keys is looked up again on the filesystem after `missTtlMs`, so
// keys created by `domain add` while the server runs are picked up without a restart.
import { createPrivateKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'

export type DkimAlgorithm = 'rsa-sha256' | 'ed25519-sha256'

export interface DkimKey {
  algorithm: DkimAlgorithm
  /** The DNS selector the public key is published under (s=). */
  selector: string
  /** PKCS#8 PEM (what mailauth's signer takes), checked to parse when loaded. */
  privateKey: Buffer
}

export interface DkimKeyFile {
  path: string
  /** The selector the public key is published under. */
  dnsSelector: string
}

export interface DkimKeyStoreOptions {
  /** Where a domain's key files are, RSA and Ed25519 (either may be missing). */
  keyFiles: (domain: string) => { rsa: DkimKeyFile; ed25519: DkimKeyFile }
  clock: () => number
  /** How long "no key for this domain" is remembered before the files are read again. */
  missTtlMs?: number
  /** Domains cached at most (bounded memory); default 10 000. */
  maxDomains?: number
}

type CacheEntry = { kind: 'keys'; keys: DkimKey[] } | { kind: 'none'; until: number }

export class DkimKeyStore {
  readonly #opts: DkimKeyStoreOptions
  readonly #cache = new Map<string, CacheEntry>()

  constructor(opts: DkimKeyStoreOptions) {
    this.#opts = opts
  }

  /** The domain's signing keys (RSA first), or [] when it has none. */
  async keysFor(domain: string): Promise<DkimKey[]> {
    const name = domain.toLowerCase()
    const cached = this.#cache.get(name)
    if (cached?.kind === 'keys') return cached.keys
    if (cached?.kind === 'none' && cached.until > this.#opts.clock()) return []
    const keys = await this.#load(name)
    if (this.#cache.size >= (this.#opts.maxDomains ?? 10_000)) this.#cache.clear()
    this.#cache.set(
      name,
      keys.length > 0
        ? { kind: 'keys', keys }
        : { kind: 'none', until: this.#opts.clock() + (this.#opts.missTtlMs ?? 60_000) },
    )
    return keys
  }

  async #load(domain: string): Promise<DkimKey[]> {
    // A name that could walk out of the key directory is never a file name.
    if (!/^[a-z0-9.-]+$/.test(domain) || domain.includes('..')) return []
    const files = this.#opts.keyFiles(domain)
    const keys: DkimKey[] = []
    const rsa = await readKey(files.rsa.path)
    if (rsa)
      keys.push({ algorithm: 'rsa-sha256', selector: files.rsa.dnsSelector, privateKey: rsa })
    const ed = await readKey(files.ed25519.path)
    if (ed) {
      keys.push({
        algorithm: 'ed25519-sha256',
        selector: files.ed25519.dnsSelector,
        privateKey: ed,
      })
    }
    return keys
  }
}

/** The PEM key in a file (checked to parse); undefined when the file does not exist. */
async function readKey(path: string): Promise<Buffer | undefined> {
  let pem: Buffer
  try {
    pem = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  createPrivateKey(pem) // throws on a file that is not a private key
  return pem
}
