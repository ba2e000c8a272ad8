// Tests for initDataDir and ensureEmbeddedDefault on real temp directories and a real store.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { verifyPassword } from '../auth/password.ts'
import { loadConfig } from '../config/load.ts'
import { openStore } from '../store/open-store.ts'
import { InitError, dkimKeyFiles, ensureEmbeddedDefault, initDataDir } from './init.ts'

function tempDir(t: { after: (fn: () => void) => void }): string {
  const parent = mkdtempSync(path.join(tmpdir(), 'postern-init-'))
  t.after(() => {
    rmSync(parent, { recursive: true, force: true })
  })
  return path.join(parent, 'data')
}

void test('initDataDir creates config, database, DKIM keys and certificate; prints DNS', async (t) => {
  const dataDir = tempDir(t)
  const { dnsRecords } = await initDataDir({
    dataDir,
    domain: 'Example.COM',
    hostname: 'mail.example.com',
  })
  assert.equal(statSync(dataDir).mode & 0o777, 0o700)
  const config = loadConfig({ dataDir, env: {} })
  assert.equal(config.hostname, 'mail.example.com')
  assert.ok(existsSync(config.tls.cert) && existsSync(config.tls.key))

  const store = openStore({ path: config.store.path })
  try {
    assert.deepEqual(
      (await store.domains.list()).map((d) => d.name),
      ['example.com'],
    )
  } finally {
    await store.close()
  }

  const keys = dkimKeyFiles({ dataDir, domain: 'example.com', selector: 'postern' })
  assert.equal(keys.rsa.path, path.join(dataDir, 'dkim', 'example.com.postern.rsa.pem'))
  for (const file of [keys.rsa.path, keys.ed25519.path])
    assert.equal(statSync(file).mode & 0o777, 0o600)
  const rsa = createPrivateKey(readFileSync(keys.rsa.path))
  assert.equal(rsa.asymmetricKeyType, 'rsa')
  assert.equal(rsa.asymmetricKeyDetails?.modulusLength, 2048)

  assert.match(dnsRecords, /^example\.com\.\s+IN MX 10 mail\.example\.com\.$/m)
  assert.match(dnsRecords, /^example\.com\.\s+IN TXT "v=spf1 mx -all"$/m)
  assert.match(
    dnsRecords,
    /^_dmarc\.example\.com\.\s+IN TXT "v=DMARC1; p=quarantine; rua=mailto:postmaster@example\.com"$/m,
  )
  // The published Ed25519 key verifies a signature made with the stored private key.
  const ed =
    /^postern-ed25519\._domainkey\.example\.com\.\s+IN TXT "v=DKIM1; k=ed25519; p=([^"]+)"$/m.exec(
      dnsRecords,
    )
  assert.ok(ed?.[1])
  const spki = Buffer.concat([
    Buffer.from('302a300506032b6570032100', 'hex'),
    Buffer.from(ed[1], 'base64'),
  ])
  const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' })
  const signature = sign(null, Buffer.from('hi'), createPrivateKey(readFileSync(keys.ed25519.path)))
  assert.ok(verify(null, Buffer.from('hi'), publicKey, signature))
  // The RSA record is split into <=255-byte strings and carries the stored key's public half.
  const rsaLine =
    /^postern-rsa\._domainkey\.example\.com\.\s+IN TXT (.+)$/m.exec(dnsRecords)?.[1] ?? ''
  const strings = [...rsaLine.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '')
  assert.ok(strings.length >= 2 && strings.every((s) => s.length <= 255))
  const p = /p=(.+)$/.exec(strings.join(''))?.[1]
  const expected = createPublicKey(rsa).export({ type: 'spki', format: 'der' }).toString('base64')
  assert.equal(p, expected)
})

void test('initDataDir refuses an initialised directory and bad names', async (t) => {
  const dataDir = tempDir(t)
  await initDataDir({ dataDir, domain: 'example.org', hostname: 'mx.example.org' })
  const before = readFileSync(path.join(dataDir, 'postern.toml'), 'utf8')
  await assert.rejects(
    initDataDir({ dataDir, domain: 'other.org', hostname: 'mx.other.org' }),
    (err: unknown) => {
      return err instanceof InitError && /already exists; refusing to overwrite/.test(err.message)
    },
  )
  assert.equal(readFileSync(path.join(dataDir, 'postern.toml'), 'utf8'), before)
  await assert.rejects(
    initDataDir({ dataDir: tempDir(t), domain: 'bad domain', hostname: 'h' }),
    InitError,
  )
})

void test('ensureEmbeddedDefault creates localhost with a postmaster once', async (t) => {
  const dataDir = tempDir(t)
  const first = await ensureEmbeddedDefault({ dataDir })
  assert.equal(first.created, true)
  assert.equal(first.postmasterPassword?.length, 20)
  const config = loadConfig({ dataDir, env: {} })
  assert.equal(config.hostname, 'localhost')
  const store = openStore({ path: config.store.path })
  try {
    assert.ok(await store.domains.get('localhost'))
    const account = await store.accounts.get('postmaster@localhost')
    assert.ok(account)
    assert.equal(await verifyPassword(first.postmasterPassword ?? '', account.passwordHash), true)
  } finally {
    await store.close()
  }
  assert.deepEqual(await ensureEmbeddedDefault({ dataDir }), { created: false })
})
