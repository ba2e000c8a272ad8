// Conformance: DKIM (RFC 6376) and Ed25519 DKIM (RFC 8463) vectors — dkimpy's test data and
// Stalwart mail-auth's — verified by mailauth as authenticator.ts runs it (strict), plus the
// signing round trips dkimpy's tests make, and the RFC 8463 appendix A signature.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { dkimSign, dkimVerify, type DKIMVerifyResult } from 'mailauth'
import { dnsError } from '../dns/resolver.ts'

const DKIMPY = new URL('../../../shared/conformance/dkim-vectors-dkimpy/', import.meta.url)
const STALWART = new URL('../../../shared/conformance/stalwart-mail-auth/dkim/', import.meta.url)

const read = (dir: URL, name: string): string => readFileSync(new URL(name, dir), 'latin1')
/** The vectors use LF line ends; SMTP messages use CRLF. */
const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n')

function txtResolver(records: Record<string, string>) {
  return (name: string, type: string): Promise<string[][]> => {
    const value = records[name.toLowerCase().replace(/\.$/, '')]
    if (type !== 'TXT' || value === undefined) {
      return Promise.reject(dnsError('ENOTFOUND', name, type))
    }
    return Promise.resolve([[value]])
  }
}

async function verifyWith(
  message: string,
  records: Record<string, string>,
  at: number,
): Promise<DKIMVerifyResult> {
  return dkimVerify(message, {
    resolver: txtResolver(records),
    curTime: new Date(at * 1000),
    strict: true,
  })
}

/** An Ed25519 private key (PKCS #8) from the 32-byte seed (RFC 8032 5.1.5). */
function ed25519Key(seedBase64: string): string {
  const der = Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'),
    Buffer.from(seedBase64.trim(), 'base64'),
  ])
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString()
}

const FOOTBALL = {
  'brisbane._domainkey.football.example.com':
    'v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
  'test._domainkey.football.example.com': read(DKIMPY, 'test.txt').trim(),
}

void test('dkimpy rfc6376.signed.msg: the Ed25519 and the RSA signature both pass', async () => {
  const res = await verifyWith(crlf(read(DKIMPY, 'rfc6376.signed.msg')), FOOTBALL, 1528000000)
  assert.deepEqual(
    res.results.map((r) => [r.selector, r.algo, r.status.result]),
    [
      ['brisbane', 'ed25519-sha256', 'pass'],
      ['test', 'rsa-sha256', 'pass'],
    ],
  )
})

void test('Stalwart dkim/001..006: the last signature passes at t=1667843664', async () => {
  const files = readdirSync(STALWART).filter((f) => f.endsWith('.txt'))
  assert.ok(files.length >= 6)
  for (const file of files.sort()) {
    const text = read(STALWART, file)
    const split = text.indexOf('\n\n')
    const records: Record<string, string> = {}
    for (const line of text.slice(0, split).split('\n')) {
      const space = line.indexOf(' ')
      if (space > 0) records[line.slice(0, space).toLowerCase()] = line.slice(space + 1).trim()
    }
    const res = await verifyWith(crlf(text.slice(split + 2)), records, 1667843664)
    const last = res.results.at(-1)
    assert.equal(last?.status.result, 'pass', `${file}: ${last?.status.comment ?? ''}`)
  }
})

/** RFC 6376 3.4.2 relaxed header canonicalization of one field. */
function relaxedHeader(field: string): string {
  const colon = field.indexOf(':')
  const name = field.slice(0, colon).trim().toLowerCase()
  const value = field
    .slice(colon + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim()
  return `${name}:${value}`
}

void test('RFC 8463 appendix A: the Ed25519 signature, byte for byte', async () => {
  const signed = crlf(read(STALWART, '001.txt').split('\n\n').slice(1).join('\n\n'))
  const headerBlock = signed.slice(0, signed.indexOf('\r\n\r\n') + 2)
  const fields = headerBlock.split(/\r\n(?![ \t])/).filter((f) => f !== '')
  const signature = fields[0] ?? ''
  const expectedB = /b=([A-Za-z0-9+/=\s]+)$/.exec(signature)?.[1]?.replace(/\s+/g, '') ?? ''
  assert.match(expectedB, /^\/gCrinpc/)
  // RFC 6376 3.7: the signed fields (h=, bottom-up per name; a name listed more often than
  // present adds nothing), then the DKIM-Signature field with an empty b=, without its CRLF.
  const names = ['from', 'to', 'subject', 'date', 'message-id', 'from', 'subject', 'date']
  const used = new Map<string, number>()
  const lines: string[] = []
  for (const name of names) {
    const all = fields.filter((f) => f.slice(0, f.indexOf(':')).trim().toLowerCase() === name)
    const n = used.get(name) ?? 0
    used.set(name, n + 1)
    const field = all[all.length - 1 - n]
    if (field !== undefined) lines.push(`${relaxedHeader(field)}\r\n`)
  }
  lines.push(relaxedHeader(signature.replace(/b=[A-Za-z0-9+/=\s]+$/, 'b=')))
  const digest = createHash('sha256').update(lines.join(''), 'latin1').digest()
  const key = ed25519Key(read(DKIMPY, 'rfc8032_7_1.key'))
  // RFC 8463 3: PureEdDSA over the SHA-256 hash of the signing input.
  assert.equal(sign(null, digest, key).toString('base64'), expectedB)

  // mailauth's signer (the one Postern uses) with the RFC's key, message and t=: it lays the
  // tags out its own way (so its b= covers different header bytes), but its body hash is the
  // RFC's byte for byte, its signature verifies, and signing is deterministic.
  const opts = {
    signingDomain: 'football.example.com',
    selector: 'brisbane',
    privateKey: key,
    canonicalization: 'relaxed/relaxed',
    signTime: new Date(1528637909 * 1000),
    headerList: names,
  }
  const message = crlf(read(DKIMPY, 'rfc6376.msg'))
  const one = await dkimSign(message, { ...opts, signatureData: [{ ...opts }] })
  const two = await dkimSign(message, { ...opts, signatureData: [{ ...opts }] })
  assert.equal(one.signatures, two.signatures)
  assert.match(
    one.signatures.replace(/\r\n /g, ''),
    /bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;/,
  )
  assert.match(one.signatures, /t=1528637909/)
  const res = await verifyWith(one.signatures + message, FOOTBALL, 1528637910)
  assert.equal(res.results[0]?.status.result, 'pass')
  const publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' }).subarray(12)
  assert.equal(publicKey.toString('base64'), '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=')
  assert.ok(verify(null, digest, createPublicKey(key), Buffer.from(expectedB, 'base64')))
})

async function roundTrip(opts: {
  message: string
  key: string
  domain: string
  selector: string
  record: string
  canonicalization: string
}): Promise<string | undefined> {
  const data = {
    signingDomain: opts.domain,
    selector: opts.selector,
    privateKey: opts.key,
    canonicalization: opts.canonicalization,
    signTime: new Date(1_700_000_000_000),
  }
  const signed = await dkimSign(opts.message, { ...data, signatureData: [{ ...data }] })
  assert.notEqual(signed.signatures, '', 'a signature was made')
  const res = await verifyWith(
    signed.signatures + opts.message,
    { [`${opts.selector}._domainkey.${opts.domain}`]: opts.record },
    1_700_000_001,
  )
  return res.results[0]?.status.result
}

void test('dkimpy round trips: test.message and test2.message, simple and relaxed', async () => {
  for (const [message, key, record] of [
    ['test.message', 'test.private', 'test.txt'],
    ['test2.message', 'test2.private', 'test2.txt'],
  ] as const) {
    for (const canonicalization of ['simple/simple', 'relaxed/relaxed']) {
      const result = await roundTrip({
        message: crlf(read(DKIMPY, message)),
        key: read(DKIMPY, key),
        domain: 'example.com',
        selector: 'test',
        record: read(DKIMPY, record).trim(),
        canonicalization,
      })
      assert.equal(result, 'pass', `${message} ${canonicalization}`)
    }
  }
})

void test('dkimpy: a bad v= or an unknown k= in the key record fails verification', async () => {
  for (const bad of ['badversion.txt', 'badk.txt']) {
    const result = await roundTrip({
      message: crlf(read(DKIMPY, 'test.message')),
      key: read(DKIMPY, 'test.private'),
      domain: 'example.com',
      selector: 'test',
      record: read(DKIMPY, bad).trim(),
      canonicalization: 'relaxed/relaxed',
    })
    assert.notEqual(result, 'pass', bad)
    assert.ok(
      result === 'neutral' || result === 'fail' || result === 'permerror',
      `${bad}: ${result}`,
    )
  }
})

void test('dkimpy: signing a message without From is refused', async () => {
  const key = read(DKIMPY, 'test.private')
  const data = { signingDomain: 'example.com', selector: 'test', privateKey: key }
  const res = await dkimSign(crlf(read(DKIMPY, 'test_nofrom.message')), {
    ...data,
    signatureData: [{ ...data }],
  })
  assert.equal(res.signatures, '')
  assert.ok(res.errors.length > 0)
})

void test('dkimpy Ed25519 round trips: ed25519test.msg and ed25519test2.msg', async () => {
  const key = ed25519Key(read(DKIMPY, 'ed25519test.key'))
  const record = `v=DKIM1; ${read(DKIMPY, 'ed25519test.dns').trim()}`
  for (const [message, domain, selector] of [
    ['ed25519test.msg', 'example.net', 'test'],
    ['ed25519test2.msg', 'canonical.com', 'example'],
  ] as const) {
    for (const canonicalization of ['simple/simple', 'relaxed/relaxed']) {
      const result = await roundTrip({
        message: crlf(read(DKIMPY, message)),
        key,
        domain,
        selector,
        record,
        canonicalization,
      })
      assert.equal(result, 'pass', `${message} ${canonicalization}`)
    }
  }
})
