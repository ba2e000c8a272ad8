import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { verifyWithMailauth, writeDkimKeysInTempDir } from '../../test/harness/dkim-check.ts'
import { createLogger } from '../telemetry/logger.ts'
import { dkimKeyFiles } from '../app/init.ts'
import { DkimKeyStore } from './dkim-keys.ts'
import { DkimSigner } from './dkim-signer.ts'
import { addressDomain, GeneratedMailSigner, signingCandidates } from './generated-mail-signer.ts'

const NOW = Date.UTC(2026, 10, 28, 8)

const message = (from: string): Buffer =>
  Buffer.from(
    `From: Mail Delivery System <${from}>\r\nTo: <bob@far.example>\r\nSubject: report\r\n` +
      'Date: Sat, 28 Nov 2026 08:00:00 +0000\r\nMessage-ID: <g-1@postern.test>\r\n\r\nbody\r\n',
  )

/** A signer over keys for `withKeys`; `local` are the local domains; log lines collected. */
function setUp(withKeys: string[], local: string[]) {
  const keys = writeDkimKeysInTempDir(withKeys)
  const lines: Record<string, unknown>[] = []
  const destination = new PassThrough()
  destination.on('data', (chunk: Buffer) => {
    for (const l of chunk.toString().split('\n')) {
      if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>)
    }
  })
  const signer = new GeneratedMailSigner({
    signer: new DkimSigner({
      keys: new DkimKeyStore({
        keyFiles: (domain) => dkimKeyFiles({ dataDir: keys.dataDir, domain, selector: 'postern' }),
        clock: () => NOW,
      }),
    }),
    isLocalDomain: (d) => Promise.resolve(local.includes(d)),
    clock: () => NOW,
    logger: createLogger({ level: 'debug', destination }),
  })
  return { signer, records: keys.records, lines, remove: keys.remove }
}

test('signing candidates: the domain, then its parents down to the Organizational Domain', () => {
  assert.deepEqual(signingCandidates('mx.out.example.com'), [
    'mx.out.example.com',
    'out.example.com',
    'example.com',
  ])
  assert.deepEqual(signingCandidates('Example.COM.'), ['example.com'])
  // A public suffix is never a signing domain (RFC 7489 3.2): never above example.co.uk.
  assert.deepEqual(signingCandidates('mx.example.co.uk'), ['mx.example.co.uk', 'example.co.uk'])
  assert.deepEqual(signingCandidates('co.uk'), ['co.uk'])
  assert.deepEqual(signingCandidates(''), [])
  assert.equal(addressDomain('Reports <dmarc-reports@Example.org>'), 'Example.org')
  assert.equal(addressDomain('MAILER-DAEMON@mx.example.org'), 'mx.example.org')
  assert.equal(addressDomain('nobody'), '')
})

test('the From domain signs with its own keys (RSA and Ed25519) when it has them', async () => {
  const s = setUp(['postern.test', 'mx.postern.test'], ['postern.test', 'mx.postern.test'])
  try {
    const out = await s.signer.sign(message('MAILER-DAEMON@mx.postern.test'), 'mx.postern.test')
    assert.ok(out.kind === 'signed', out.kind)
    assert.equal(out.domain, 'mx.postern.test')
    assert.deepEqual(out.selectors, ['postern-rsa', 'postern-ed25519'])
    assert.match(out.message.toString(), /^DKIM-Signature:[^]*d=mx\.postern\.test;/)
    assert.deepEqual(await verifyWithMailauth(out.message, s.records), [
      ['rsa-sha256', 'pass'],
      ['ed25519-sha256', 'pass'],
    ])
  } finally {
    s.remove()
  }
})

test('a host name without keys is signed by its closest local parent (relaxed alignment)', async () => {
  const s = setUp(['postern.test'], ['postern.test'])
  try {
    const raw = message('MAILER-DAEMON@mx.postern.test')
    const signed = await s.signer.signGenerated(raw, 'mx.postern.test')
    assert.match(signed.toString(), /d=postern\.test;/)
    assert.deepEqual(signed.subarray(signed.length - raw.length), raw)
    assert.deepEqual(
      (await verifyWithMailauth(signed, s.records)).map(([, r]) => r),
      ['pass', 'pass'],
    )
  } finally {
    s.remove()
  }
})

test('an unknown or non-local domain stays unsigned, and that is logged once', async () => {
  // elsewhere.test has key files but is not a local domain: never used.
  const s = setUp(['postern.test', 'elsewhere.test'], ['postern.test'])
  try {
    for (const from of ['mx.elsewhere.test', 'mx.elsewhere.test', 'other.example']) {
      const raw = message(`MAILER-DAEMON@${from}`)
      const out = await s.signer.sign(raw, from)
      assert.equal(out.kind, 'unsigned')
      assert.equal(out.message, raw)
    }
    const warned = s.lines.filter((l) => l.event === 'dkim.generated-unsigned')
    assert.deepEqual(
      warned.map((l) => l.from),
      ['mx.elsewhere.test', 'other.example'],
    )
  } finally {
    s.remove()
  }
})
