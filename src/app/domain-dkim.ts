// DKIM keys for a domain added after `init` (`postern domain add`): the same files and
// selectors as init's (RSA 2048 and Ed25519, RFC 6376 / RFC 8463), created unless they exist
// (a domain removed and added again keeps its published keys), and the DNS records to publish.
import { createPublicKey } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dkimKeyFiles, renderDnsRecords, writeDkimKeys, type DkimPublicKeys } from './init.ts'

export interface DomainDkimOptions {
  dataDir: string
  domain: string
  selector: string
  hostname: string
}

/** Creates the domain's key files when missing; returns the zone-file lines to publish. */
export async function ensureDomainDkimKeys(opts: DomainDkimOptions): Promise<string> {
  const keys = dkimKeyFiles({ dataDir: opts.dataDir, domain: opts.domain, selector: opts.selector })
  const publicKeys =
    existsSync(keys.rsa.path) && existsSync(keys.ed25519.path)
      ? await readPublicKeys(keys.rsa.path, keys.ed25519.path)
      : await writeDkimKeys(keys)
  return renderDnsRecords({ domain: opts.domain, hostname: opts.hostname, keys, publicKeys })
}

async function readPublicKeys(rsaPath: string, edPath: string): Promise<DkimPublicKeys> {
  const spki = async (path: string): Promise<Buffer> =>
    createPublicKey(await readFile(path)).export({ type: 'spki', format: 'der' })
  const ed = await spki(edPath)
  return {
    rsa: (await spki(rsaPath)).toString('base64'),
    ed25519: ed.subarray(ed.length - 32).toString('base64'), // RFC 8463 4.2: the raw key
  }
}
