// Tests that the generated certificate serves a real TLS handshake to a client that trusts it,
// names the right hosts, and that loadTlsOptions reports missing files by name.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import tls from 'node:tls'
import type { AddressInfo } from 'node:net'
import { writeSelfSignedCertificate } from './self-signed.ts'
import { TlsFileError, loadTlsOptions } from './load-tls.ts'

void test('self-signed certificate: files, SAN, validity, and a trusted TLS handshake', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'postern-tls-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const certPath = path.join(dir, 'tls', 'cert.pem')
  const keyPath = path.join(dir, 'tls', 'key.pem')
  await writeSelfSignedCertificate({ hostname: 'mail.example.com', certPath, keyPath })
  assert.equal(statSync(keyPath).mode & 0o777, 0o600)

  const { cert, key } = loadTlsOptions({ certPath, keyPath })
  const x509 = new X509Certificate(cert)
  assert.match(x509.subjectAltName ?? '', /DNS:mail\.example\.com/)
  assert.match(x509.subjectAltName ?? '', /DNS:localhost/)
  assert.match(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/)
  const years = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / (365.25 * 86400_000)
  assert.ok(years > 9.9 && years < 10.1, `validity ${years} years`)

  const server = tls.createServer({ cert, key }, (socket) => socket.end('hello'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const { port } = server.address() as AddressInfo
  for (const servername of ['mail.example.com', 'localhost']) {
    const received = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: cert, servername }, () => {
        assert.equal(socket.authorized, true)
      })
      let text = ''
      socket.setEncoding('utf8')
      socket.on('data', (d: string) => (text += d))
      socket.on('end', () => {
        resolve(text)
      })
      socket.on('error', reject)
    })
    assert.equal(received, 'hello')
  }
})

void test('loadTlsOptions names the missing file', () => {
  const missing = path.join(tmpdir(), 'postern-no-such-dir', 'cert.pem')
  assert.throws(
    () => loadTlsOptions({ certPath: missing, keyPath: missing }),
    (err: unknown) =>
      err instanceof TlsFileError &&
      err.message.includes(missing) &&
      /does not exist/.test(err.message),
  )
})
