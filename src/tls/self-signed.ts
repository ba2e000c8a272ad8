// A self-signed certificate for development and the embedded default: RSA 2048, SHA-256,
// valid 10 years, SAN = the hostname + localhost + 127.0.0.1 (+ ::1). The key file is written
// with mode 0600; missing directories are created.
import { mkdir, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import path from 'node:path'
import { generate } from 'selfsigned'

export interface WriteSelfSignedOptions {
  hostname: string
  certPath: string
  keyPath: string
}

type AltName = { type: 2; value: string } | { type: 7; ip: string }

export async function writeSelfSignedCertificate(opts: WriteSelfSignedOptions): Promise<void> {
  const notBeforeDate = new Date(Date.now() - 60_000)
  const notAfterDate = new Date(notBeforeDate)
  notAfterDate.setFullYear(notAfterDate.getFullYear() + 10)
  const pems = await generate([{ name: 'commonName', value: opts.hostname }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: altNames(opts.hostname) },
    ],
  })
  await mkdir(path.dirname(opts.certPath), { recursive: true, mode: 0o700 })
  await mkdir(path.dirname(opts.keyPath), { recursive: true, mode: 0o700 })
  await writeFile(opts.keyPath, pems.private, { mode: 0o600 })
  await writeFile(opts.certPath, pems.cert, { mode: 0o644 })
}

function altNames(hostname: string): AltName[] {
  const names = new Map<string, AltName>()
  for (const name of [hostname, 'localhost', '127.0.0.1', '::1']) {
    const key = name.toLowerCase()
    if (names.has(key)) continue
    names.set(key, isIP(name) === 0 ? { type: 2, value: key } : { type: 7, ip: name })
  }
  return [...names.values()]
}
