import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  dkimRecordFor,
  verifyWithDkimpy,
  verifyWithMailauth,
  type DkimRecords,
} from '../../test/harness/dkim-check.ts'
import { DkimKeyStore } from './dkim-keys.ts'
import { DkimSigner } from './dkim-signer.ts'

/** Writes an RSA and an Ed25519 key for `domain`; returns the signer and the DNS records. */
function setUp(domain: string): { dir: string; signer: DkimSigner; records: DkimRecords } {
  const dir = mkdtempSync(join(tmpdir(), 'postern-dkim-'))
  const pem = { type: 'pkcs8', format: 'pem' } as const
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export(pem)
  const ed = generateKeyPairSync('ed25519').privateKey.export(pem)
  writeFileSync(join(dir, `${domain}.rsa.pem`), rsa)
  writeFileSync(join(dir, `${domain}.ed25519.pem`), ed)
  const keys = new DkimKeyStore({
    keyFiles: (d) => ({
      rsa: { path: join(dir, `${d}.rsa.pem`), dnsSelector: 'sel-rsa' },
      ed25519: { path: join(dir, `${d}.ed25519.pem`), dnsSelector: 'sel-ed25519' },
    }),
    clock: Date.now,
  })
  return {
    dir,
    signer: new DkimSigner({ keys }),
    records: {
      [`sel-rsa._domainkey.${domain}`]: dkimRecordFor(rsa),
      [`sel-ed25519._domainkey.${domain}`]: dkimRecordFor(ed),
    },
  }
}

const MESSAGE = Buffer.from(
  'From: Alice <alice@example.test>\r\nTo: bob@elsewhere.test\r\nSubject: hello  there\r\n' +
    'Date: Sat, 28 Nov 2026 05:00:00 +0000\r\nMessage-ID: <1@example.test>\r\n\r\n' +
    'Body line one.  \r\n\r\nBody line two.\r\n\r\n\r\n',
)

test('signs with RSA and Ed25519, relaxed/relaxed; mailauth verifies both', async () => {
  const { dir, signer, records } = setUp('example.test')
  const out = await signer.sign({ message: MESSAGE, domain: 'example.test', signTime: new Date() })
  assert.deepEqual(out.errors, [])
  assert.deepEqual(out.selectors, ['sel-rsa', 'sel-ed25519'])
  assert.equal(out.signatures.match(/^DKIM-Signature:/gm)?.length, 2)
  assert.match(out.signatures, /c=relaxed\/relaxed/)
  for (const field of ['From', 'To', 'Subject', 'Date', 'Message-ID']) {
    assert.match(out.signatures, new RegExp(`h=[^;]*\\b${field}\\b`))
  }
  const signed = Buffer.concat([Buffer.from(out.signatures), MESSAGE])
  assert.deepEqual(await verifyWithMailauth(signed, records), [
    ['rsa-sha256', 'pass'],
    ['ed25519-sha256', 'pass'],
  ])
  // Relaxed canonicalisation: whitespace changes in transit still verify (RFC 6376 3.4.2).
  const respaced = signed.toString().replace('Subject: hello  there', 'Subject:  hello there')
  const again = await verifyWithMailauth(Buffer.from(respaced), records)
  assert.deepEqual(
    again.map(([, r]) => r),
    ['pass', 'pass'],
  )
  // A changed body does not verify.
  const tampered = signed.toString().replace('Body line two.', 'Body line 2.')
  const bad = await verifyWithMailauth(Buffer.from(tampered), records)
  assert.ok(
    bad.every(([, r]) => r !== 'pass'),
    JSON.stringify(bad),
  )
  rmSync(dir, { recursive: true, force: true })
})

test("dkimpy (Debian's python3-dkim) verifies both signatures", async () => {
  const { dir, signer, records } = setUp('example.test')
  const out = await signer.sign({ message: MESSAGE, domain: 'example.test', signTime: new Date() })
  const signed = Buffer.concat([Buffer.from(out.signatures), MESSAGE])
  assert.deepEqual(await verifyWithDkimpy(signed, records, 2), [true, true])
  const tampered = Buffer.from(signed.toString().replace('Body line two.', 'Body line 2.'))
  assert.deepEqual(await verifyWithDkimpy(tampered, records, 2), [false, false])
  rmSync(dir, { recursive: true, force: true })
})

test('a domain without keys gets no signature; keys added later are found after the miss TTL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'postern-dkim-'))
  let now = 1_000_000
  const keys = new DkimKeyStore({
    keyFiles: (d) => ({
      rsa: { path: join(dir, `${d}.rsa.pem`), dnsSelector: 's-rsa' },
      ed25519: { path: join(dir, `${d}.ed25519.pem`), dnsSelector: 's-ed25519' },
    }),
    clock: () => now,
    missTtlMs: 1000,
  })
  const signer = new DkimSigner({ keys })
  const none = await signer.sign({ message: MESSAGE, domain: 'example.test', signTime: new Date() })
  assert.deepEqual(none, { signatures: '', selectors: [], errors: [] })
  const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' })
  writeFileSync(join(dir, 'example.test.ed25519.pem'), ed)
  assert.deepEqual(await keys.keysFor('example.test'), [], 'the miss is remembered')
  now += 1001
  const found = await keys.keysFor('EXAMPLE.test')
  assert.deepEqual(
    found.map((k) => [k.algorithm, k.selector]),
    [['ed25519-sha256', 's-ed25519']],
  )
  assert.deepEqual(await keys.keysFor('../etc'), [], 'a name that is not a domain is no path')
  rmSync(dir, { recursive: true, force: true })
})
