// Cross-verification with an independent DKIM implementation, dkimpy (Debian python3-dkim, run
// with /usr/bin/python3): messages signed by mailauth (Postern's signer and verifier) verify in
// dkimpy and the other way round, for RSA-SHA256 and Ed25519-SHA256 (RFC 8463) and both
// canonicalizations; an altered body fails in both.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { dkimSign, dkimVerify } from 'mailauth'
import { dnsError } from '../dns/resolver.ts'

const PYTHON = '/usr/bin/python3'

// Reads one JSON request on stdin: {"op": "sign"|"verify", message, ...}; prints JSON.
const DKIMPY = String.raw`
import base64, json, sys
import dkim
req = json.load(sys.stdin)
msg = base64.b64decode(req["message"])
if req["op"] == "verify":
    record = req["record"].encode()
    def dnsfunc(name, timeout=5):
        return record
    print(json.dumps({"ok": bool(dkim.verify(msg, dnsfunc=dnsfunc))}))
else:
    sig = dkim.sign(msg, req["selector"].encode(), req["domain"].encode(),
                    req["key"].encode(), canonicalize=(b"relaxed", b"relaxed"),
                    signature_algorithm=req["algorithm"].encode(),
                    include_headers=[b"from", b"to", b"subject", b"date"])
    print(json.dumps({"signature": sig.decode()}))
`

function python(request: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', DKIMPY], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`dkimpy: ${stderr || err.message}`))
      else resolve(JSON.parse(stdout) as Record<string, unknown>)
    })
    child.stdin?.end(JSON.stringify(request))
  })
}

const MESSAGE =
  'From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: cross check\r\n' +
  'Date: Sat, 28 Nov 2026 05:00:00 +0000\r\nMessage-ID: <x1@example.org>\r\n\r\n' +
  'Hello Bob,\r\n  two  spaces   here.\r\n\r\n\r\n'

interface KeySet {
  name: string
  algorithm: 'rsa-sha256' | 'ed25519-sha256'
  privatePem: string
  /** dkimpy wants the raw 32-byte Ed25519 seed (base64) rather than PEM. */
  dkimpyKey: string
  record: string
}

function keys(): KeySet[] {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ed = generateKeyPairSync('ed25519')
  const edPrivate = ed.privateKey.export({ type: 'pkcs8', format: 'der' })
  const edPublic = createPublicKey(ed.privateKey).export({ type: 'spki', format: 'der' })
  const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  return [
    {
      name: 'rsa',
      algorithm: 'rsa-sha256',
      privatePem: rsaPem,
      dkimpyKey: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      record: `v=DKIM1; k=rsa; p=${rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
    },
    {
      name: 'ed25519',
      algorithm: 'ed25519-sha256',
      privatePem: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      dkimpyKey: edPrivate.subarray(-32).toString('base64'),
      record: `v=DKIM1; k=ed25519; p=${edPublic.subarray(-32).toString('base64')}`,
    },
  ]
}

async function mailauthVerify(message: string, record: string): Promise<string | undefined> {
  const resolver = (name: string, type: string): Promise<string[][]> =>
    name === 'sel._domainkey.example.org' && type === 'TXT'
      ? Promise.resolve([[record]])
      : Promise.reject(dnsError('ENOTFOUND', name, type))
  const res = await dkimVerify(message, { resolver: resolver, strict: true })
  return res.results[0]?.status.result
}

const alter = (signed: string): string => signed.replace('two  spaces', 'two  spices')

void test('mailauth signs, dkimpy verifies; altered body fails in both', async () => {
  for (const k of keys()) {
    for (const canonicalization of ['relaxed/relaxed', 'simple/simple']) {
      const data = {
        signingDomain: 'example.org',
        selector: 'sel',
        privateKey: k.privatePem,
        canonicalization,
      }
      const res = await dkimSign(MESSAGE, { ...data, signatureData: [{ ...data }] })
      const signed = res.signatures + MESSAGE
      const label = `${k.name} ${canonicalization}`
      const good = await python({
        op: 'verify',
        message: Buffer.from(signed).toString('base64'),
        record: k.record,
      })
      assert.equal(good.ok, true, `dkimpy verifies ${label}`)
      assert.equal(await mailauthVerify(signed, k.record), 'pass', label)
      const bad = await python({
        op: 'verify',
        message: Buffer.from(alter(signed)).toString('base64'),
        record: k.record,
      })
      assert.equal(bad.ok, false, `dkimpy refuses altered ${label}`)
      assert.equal(await mailauthVerify(alter(signed), k.record), 'fail', `altered ${label}`)
    }
  }
})

void test('dkimpy signs, Postern (mailauth) verifies; altered body fails', async () => {
  for (const k of keys()) {
    const res = await python({
      op: 'sign',
      message: Buffer.from(MESSAGE).toString('base64'),
      selector: 'sel',
      domain: 'example.org',
      key: k.dkimpyKey,
      algorithm: k.algorithm,
    })
    const signature = String(res.signature).replace(/\r?\n/g, '\r\n')
    assert.match(signature, new RegExp(`a=${k.algorithm}`))
    const signed = signature + MESSAGE
    assert.equal(await mailauthVerify(signed, k.record), 'pass', k.name)
    assert.equal(await mailauthVerify(alter(signed), k.record), 'fail', `altered ${k.name}`)
  }
})
