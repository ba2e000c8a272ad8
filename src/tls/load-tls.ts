// Reads the certificate chain and private key named by the config ([tls] cert/key) for
// node:tls, with an error that names the file that is missing or unreadable.
import { readFileSync } from 'node:fs'

export class TlsFileError extends Error {
  readonly path: string
  constructor(message: string, filePath: string) {
    super(message)
    this.name = 'TlsFileError'
    this.path = filePath
  }
}

export interface LoadTlsOptions {
  certPath: string
  keyPath: string
}

export function loadTlsOptions(opts: LoadTlsOptions): { cert: Buffer; key: Buffer } {
  return {
    cert: readPem(opts.certPath, 'certificate', 'CERTIFICATE'),
    key: readPem(opts.keyPath, 'private key', 'PRIVATE KEY'),
  }
}

function readPem(filePath: string, what: string, label: string): Buffer {
  let data: Buffer
  try {
    data = readFileSync(filePath)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`
    throw new TlsFileError(
      `TLS ${what} file ${filePath} ${why} (config key tls.${what === 'certificate' ? 'cert' : 'key'})`,
      filePath,
    )
  }
  if (!data.toString('latin1').includes(label)) {
    throw new TlsFileError(`TLS ${what} file ${filePath} is not a PEM ${label}`, filePath)
  }
  return data
}
