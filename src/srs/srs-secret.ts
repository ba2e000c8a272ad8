// The SRS secret: `srs.secret` from the config when set, else the key in DIR/srs.key, created
// (32 random bytes, mode 0600) the first time it is needed. Keeping it in the data directory
// means addresses rewritten before a restart still reverse after it.
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export const SRS_KEY_FILE = 'srs.key'

export function loadSrsSecret(opts: { dataDir: string; configured: string }): Buffer {
  if (opts.configured !== '') return Buffer.from(opts.configured, 'utf8')
  const file = path.join(opts.dataDir, SRS_KEY_FILE)
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const secret = randomBytes(32)
  try {
    writeFileSync(file, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
    return secret
  } catch (err) {
    // Another process created it meanwhile: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  }
}
