// Creates a data directory: postern.toml, the database with the first domain, a DKIM key
// pair for it (RSA 2048 and Ed25519) and a self-signed certificate for the hostname; returns
// the DNS records to publish. Also the embedded default that `serve` creates on first run.
//
// DKIM naming: private keys are PKCS#8 PEM files at DIR/dkim/<domain>.<selector>.rsa.pem and
// DIR/dkim/<domain>.<selector>.ed25519.pem; they are published (and must be signed with) the
// DNS selectors `<selector>-rsa` and `<selector>-ed25519`. dkimKeyFiles() gives both.
//
// postern.toml is written last, so a run that fails half-way can simply be repeated; a
// directory that already has postern.toml is refused.
import { generateKeyPair, randomInt } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { hashPassword } from '../auth/password.ts'
import { CONFIG_FILE_NAME, loadConfig } from '../config/load.ts'
import { renderConfigToml } from '../config/render.ts'
import { openStore } from '../store/open-store.ts'
import type { Store } from '../store/types.ts'
import { writeSelfSignedCertificate } from '../tls/self-signed.ts'

const generateKeyPairAsync = promisify(generateKeyPair)

export class InitError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InitError'
  }
}

export interface InitOptions {
  dataDir: string
  domain: string
  hostname: string
}

export interface InitResult {
  /** Zone-file lines to publish (MX, SPF, DKIM x2, DMARC), newline-terminated. */
  dnsRecords: string
}

export interface DkimKeyFile {
  path: string
  /** The selector the public key is published under and signatures name. */
  dnsSelector: string
}

export function dkimKeyFiles(opts: { dataDir: string; domain: string; selector: string }): {
  rsa: DkimKeyFile
  ed25519: DkimKeyFile
} {
  const file = (algo: string): DkimKeyFile => ({
    path: path.join(opts.dataDir, 'dkim', `${opts.domain}.${opts.selector}.${algo}.pem`),
    dnsSelector: `${opts.selector}-${algo}`,
  })
  return { rsa: file('rsa'), ed25519: file('ed25519') }
}

const DOMAIN_RE =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/

export async function initDataDir(opts: InitOptions): Promise<InitResult> {
  return initialise(opts, async () => {})
}

async function initialise(
  opts: InitOptions,
  withStore: (store: Store) => Promise<void>,
): Promise<InitResult> {
  const domain = opts.domain.trim().toLowerCase()
  const hostname = opts.hostname.trim().toLowerCase()
  if (!DOMAIN_RE.test(domain)) throw new InitError(`not a valid domain name: ${opts.domain}`)
  if (!DOMAIN_RE.test(hostname)) throw new InitError(`not a valid host name: ${opts.hostname}`)
  const tomlPath = path.join(opts.dataDir, CONFIG_FILE_NAME)
  if (existsSync(tomlPath)) {
    throw new InitError(
      `${tomlPath} already exists; refusing to overwrite an initialised data directory`,
    )
  }
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 })
  // No postern.toml yet, so this is the defaults, which the rendered file repeats (the
  // environment is ignored: init writes the defaults' paths).
  const config = loadConfig({ dataDir: opts.dataDir, env: {} })
  const store = openStore(storeOptions(config.store))
  try {
    if ((await store.domains.get(domain)) === undefined) await store.domains.add(domain)
    await withStore(store)
  } finally {
    await store.close()
  }
  const keys = dkimKeyFiles({ dataDir: opts.dataDir, domain, selector: config.dkim.selector })
  const publicKeys = await writeDkimKeys(keys)
  await writeSelfSignedCertificate({ hostname, certPath: config.tls.cert, keyPath: config.tls.key })
  await writeFile(tomlPath, renderConfigToml({ hostname }), { mode: 0o600, flag: 'wx' })
  return { dnsRecords: renderDnsRecords({ domain, hostname, keys, publicKeys }) }
}

function storeOptions(store: { path: string; url: string }): { path: string; url?: string } {
  return store.url === '' ? { path: store.path } : { path: store.path, url: store.url }
}

export interface DkimPublicKeys {
  /** base64 DER SubjectPublicKeyInfo (RFC 6376 k=rsa). */
  rsa: string
  /** base64 raw 32-byte key (RFC 8463 k=ed25519). */
  ed25519: string
}

export async function writeDkimKeys(keys: {
  rsa: DkimKeyFile
  ed25519: DkimKeyFile
}): Promise<DkimPublicKeys> {
  await mkdir(path.dirname(keys.rsa.path), { recursive: true, mode: 0o700 })
  const rsa = await generateKeyPairAsync('rsa', { modulusLength: 2048 })
  const ed = await generateKeyPairAsync('ed25519')
  const pem = { type: 'pkcs8', format: 'pem' } as const
  await writeFile(keys.rsa.path, rsa.privateKey.export(pem), { mode: 0o600 })
  await writeFile(keys.ed25519.path, ed.privateKey.export(pem), { mode: 0o600 })
  const edSpki = ed.publicKey.export({ type: 'spki', format: 'der' })
  return {
    rsa: rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    ed25519: edSpki.subarray(edSpki.length - 32).toString('base64'),
  }
}

export function renderDnsRecords(opts: {
  domain: string
  hostname: string
  keys: { rsa: DkimKeyFile; ed25519: DkimKeyFile }
  publicKeys: DkimPublicKeys
}): string {
  const d = `${opts.domain}.`
  const lines = [
    `; DNS records for ${opts.domain}. Also give ${opts.hostname} an A/AAAA record for this server.`,
    `${d}\tIN MX 10 ${opts.hostname}.`,
    `${d}\tIN TXT ${txt('v=spf1 mx -all')}`,
    `${opts.keys.rsa.dnsSelector}._domainkey.${d}\tIN TXT ${txt(`v=DKIM1; k=rsa; p=${opts.publicKeys.rsa}`)}`,
    `${opts.keys.ed25519.dnsSelector}._domainkey.${d}\tIN TXT ${txt(`v=DKIM1; k=ed25519; p=${opts.publicKeys.ed25519}`)}`,
    `_dmarc.${d}\tIN TXT ${txt(`v=DMARC1; p=quarantine; rua=mailto:postmaster@${opts.domain}`)}`,
  ]
  return `${lines.join('\n')}\n`
}

/** A TXT value as zone-file character-strings of at most 255 bytes each. */
function txt(value: string): string {
  const parts: string[] = []
  for (let i = 0; i < value.length; i += 255) parts.push(`"${value.slice(i, i + 255)}"`)
  return parts.join(' ')
}

export interface EmbeddedDefaultResult {
  created: boolean
  /** Set when created: the generated password of postmaster@localhost, shown once. */
  postmasterPassword?: string
}

export const EMBEDDED_POSTMASTER = 'postmaster@localhost'

/**
 * For `serve` on a data directory without postern.toml: initialises it for domain and host
 * `localhost` with an account postmaster@localhost whose random password is returned.
 */
export async function ensureEmbeddedDefault(opts: {
  dataDir: string
}): Promise<EmbeddedDefaultResult> {
  if (existsSync(path.join(opts.dataDir, CONFIG_FILE_NAME))) return { created: false }
  const password = randomPassword(20)
  const passwordHash = await hashPassword(password)
  await initialise(
    { dataDir: opts.dataDir, domain: 'localhost', hostname: 'localhost' },
    async (store) => {
      // A run that failed half-way may have left the account: give it the new password.
      if (await store.accounts.get(EMBEDDED_POSTMASTER)) {
        await store.accounts.setPassword(EMBEDDED_POSTMASTER, passwordHash)
      } else {
        await store.accounts.add({ address: EMBEDDED_POSTMASTER, passwordHash })
      }
    },
  )
  return { created: true, postmasterPassword: password }
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'

/** A random password from an unambiguous alphanumeric alphabet (about 5.8 bits a character). */
export function randomPassword(length: number): string {
  let out = ''
  for (let i = 0; i < length; i++)
    out += PASSWORD_ALPHABET.charAt(randomInt(PASSWORD_ALPHABET.length))
  return out
}
