// DKIM verification for tests: the public key records of PEM private keys, and two
// independent verifiers answering from those records: mailauth's and dkimpy's (Debian's
// python3-dkim, run with /usr/bin/python3).
import { execFile } from 'node:child_process'
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { dkimVerify } from 'mailauth'
import { staticResolver } from '../../src/dns/resolver.ts'

const run = promisify(execFile)

/** "selector._domainkey.domain" → TXT value. */
export type DkimRecords = Record<string, string>

/** The TXT record (v=DKIM1; k=...; p=...) publishing the public half of a PEM private key. */
export function dkimRecordFor(privatePem: string | Buffer): string {
  const pub = createPublicKey(privatePem)
  const der = pub.export({ type: 'spki', format: 'der' })
  if (pub.asymmetricKeyType === 'ed25519') {
    // RFC 8463 4.2: the raw 32-byte key, not the SPKI structure.
    return `v=DKIM1; k=ed25519; p=${der.subarray(der.length - 32).toString('base64')}`
  }
  return `v=DKIM1; k=rsa; p=${der.toString('base64')}`
}

/**
 * Writes an RSA and an Ed25519 key per domain into DIR/dkim/ as `init` names them
 * (<domain>.<selector>.<rsa|ed25519>.pem) in a new temp DIR; returns it and the DNS records.
 */
export function writeDkimKeysInTempDir(
  domains: readonly string[],
  selector = 'postern',
): { dataDir: string; records: DkimRecords; remove: () => void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'postern-dkim-keys-'))
  mkdirSync(join(dataDir, 'dkim'))
  const pem = { type: 'pkcs8', format: 'pem' } as const
  for (const domain of domains) {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export(pem)
    const ed = generateKeyPairSync('ed25519').privateKey.export(pem)
    writeFileSync(join(dataDir, 'dkim', `${domain}.${selector}.rsa.pem`), rsa)
    writeFileSync(join(dataDir, 'dkim', `${domain}.${selector}.ed25519.pem`), ed)
  }
  const records: DkimRecords = {}
  for (const domain of domains) {
    Object.assign(records, dkimRecordsInDataDir(dataDir, domain, selector))
  }
  return {
    dataDir,
    records,
    remove: () => {
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** The records of the keys `postern init` / `domain add` wrote for a domain in a data dir. */
export function dkimRecordsInDataDir(dataDir: string, domain: string, selector = 'postern') {
  const records: DkimRecords = {}
  for (const algo of ['rsa', 'ed25519']) {
    const pem = readFileSync(join(dataDir, 'dkim', `${domain}.${selector}.${algo}.pem`))
    records[`${selector}-${algo}._domainkey.${domain}`] = dkimRecordFor(pem)
  }
  return records
}

/** mailauth's verdict per signature: [algorithm, result], in header order. */
export async function verifyWithMailauth(
  message: Buffer,
  records: DkimRecords,
): Promise<[string, string][]> {
  const table = Object.fromEntries(Object.entries(records).map(([k, v]) => [k, { TXT: [[v]] }]))
  const resolver = staticResolver(table)
  const verdict = await dkimVerify(message, {
    resolver: (name, type) => resolver.resolve(name, type as 'TXT') as Promise<string[][]>,
  })
  return verdict.results.map((r) => [r.algo ?? '', r.status.result])
}

/** dkimpy's verdict for the first `count` signatures ("True"/"False" each). */
export async function verifyWithDkimpy(
  message: Buffer,
  records: DkimRecords,
  count: number,
): Promise<boolean[]> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-dkimpy-'))
  try {
    const file = join(dir, 'message.eml')
    writeFileSync(file, message)
    // dkim.DKIM.verify(idx=i) checks the i-th signature; dnsfunc answers from our table.
    const script = [
      'import dkim, json, sys',
      'records = json.loads(sys.argv[2])',
      'def dnsfunc(name, timeout=5):',
      '    return records.get(name.decode().rstrip("."), "").encode()',
      'd = dkim.DKIM(open(sys.argv[1], "rb").read())',
      'def check(i):',
      '    try:',
      '        return d.verify(idx=i, dnsfunc=dnsfunc)',
      '    except dkim.DKIMException:',
      '        return False',
      'print(" ".join(str(check(i)) for i in range(int(sys.argv[3]))))',
    ].join('\n')
    const { stdout } = await run(
      '/usr/bin/python3',
      ['-c', script, file, JSON.stringify(records), String(count)],
      { timeout: 20_000 },
    )
    return stdout
      .trim()
      .split(' ')
      .map((w) => w === 'True')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
