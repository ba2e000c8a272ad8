// MTA-STS discovery and caching, with an injected fetcher and with a real HTTPS server on
// loopback (the test certificate as trust anchor).
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:https'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dnsError, resolverFrom, staticResolver } from '../dns/resolver.ts'
import { writeSelfSignedCertificate } from '../tls/self-signed.ts'
import {
  MtaStsPolicyCache,
  createHttpsPolicyFetcher,
  type FetchedPolicy,
} from './mta-sts-policy-cache.ts'

const dir = mkdtempSync(join(tmpdir(), 'postern-mtasts-'))
after(() => {
  rmSync(dir, { recursive: true, force: true })
})

const POLICY = 'version: STSv1\nmode: enforce\nmx: *.example.test\nmax_age: 3600\n'

function setup(txt: string[][] | undefined, answer: () => FetchedPolicy) {
  let now = 1_000_000
  const records: Record<string, { TXT: string[][] }> = {}
  if (txt) records['_mta-sts.example.test'] = { TXT: txt }
  const fetched: string[] = []
  const cache = new MtaStsPolicyCache({
    // Read at each question, so a test can change the records.
    resolver: resolverFrom((name, rrtype) => {
      const entry = records[name]
      if (entry === undefined || rrtype !== 'TXT') {
        return Promise.reject(dnsError('ENOTFOUND', name, rrtype))
      }
      return Promise.resolve(entry.TXT)
    }),
    clock: () => now,
    fetcher: (url) => {
      fetched.push(url)
      return Promise.resolve(answer())
    },
  })
  return {
    cache,
    fetched,
    records,
    advance: (ms: number) => {
      now += ms
    },
  }
}

const ok = (body = POLICY): FetchedPolicy => ({ status: 200, contentType: 'text/plain', body })

test('discovered, fetched once, cached until max_age; refetched when it passes', async () => {
  const s = setup([['v=STSv1; id=a1']], () => ok())
  const first = await s.cache.lookup('example.test')
  assert.equal(first.policy?.policy.mode, 'enforce')
  assert.deepEqual(first.policy.policy.mx, ['*.example.test'])
  assert.deepEqual(s.fetched, ['https://mta-sts.example.test/.well-known/mta-sts.txt'])
  await s.cache.lookup('example.test')
  assert.equal(s.fetched.length, 1)
  s.advance(3600 * 1000)
  await s.cache.lookup('example.test')
  assert.equal(s.fetched.length, 2)
})

test('a new TXT id means a new policy', async () => {
  let body = POLICY
  const s = setup([['v=STSv1; id=a1']], () => ok(body))
  await s.cache.lookup('example.test')
  body = POLICY.replace('enforce', 'testing')
  const txt = s.records['_mta-sts.example.test']
  assert.ok(txt)
  txt.TXT = [['v=STSv1; id=a2']]
  const again = await s.cache.lookup('example.test')
  assert.equal(again.policy?.policy.mode, 'testing')
  assert.equal(again.policy.id, 'a2')
  assert.equal(s.fetched.length, 2)
})

test('no TXT record: no policy, unless a valid one is cached', async () => {
  const s = setup(undefined, () => ok())
  assert.equal((await s.cache.lookup('example.test')).policy, undefined)
  assert.equal(s.fetched.length, 0)
  s.records['_mta-sts.example.test'] = { TXT: [['v=STSv1; id=1']] }
  await s.cache.lookup('example.test')
  // The record goes away (or DNS fails): the cached policy still applies until max_age.
  Reflect.deleteProperty(s.records, '_mta-sts.example.test')
  const cached = await s.cache.lookup('example.test')
  assert.equal(cached.policy?.id, '1')
  assert.ok(cached.log.some((l) => l.includes('using cached policy')))
})

test('fetch failures: no policy (or the cached one); several STS records: none', async () => {
  const bad: FetchedPolicy[] = [
    { status: 404, contentType: 'text/plain', body: '' },
    { status: 301, contentType: 'text/plain', body: '' },
    { status: 200, contentType: 'text/html', body: POLICY },
    { status: 200, contentType: 'text/plain', body: 'version: STSv1\n' },
  ]
  for (const answer of bad) {
    const s = setup([['v=STSv1; id=1']], () => answer)
    const found = await s.cache.lookup('example.test')
    assert.equal(found.policy, undefined)
    assert.ok(found.log.some((l) => l.includes('failed')))
  }
  let fail = false
  const s = setup([['v=STSv1; id=1']], () => (fail ? (bad[0] ?? ok()) : ok()))
  await s.cache.lookup('example.test')
  fail = true
  const txt = s.records['_mta-sts.example.test']
  assert.ok(txt)
  txt.TXT = [['v=STSv1; id=2']]
  assert.equal((await s.cache.lookup('example.test')).policy?.id, '1')
  const two = setup([['v=STSv1; id=1'], ['v=STSv1; id=2']], () => ok())
  assert.equal((await two.cache.lookup('example.test')).policy, undefined)
})

test('concurrent lookups share one fetch; invalidate forgets', async () => {
  const s = setup([['v=STSv1; id=1']], () => ok())
  await Promise.all([s.cache.lookup('example.test'), s.cache.lookup('example.test')])
  assert.equal(s.fetched.length, 1)
  s.cache.invalidate('example.test')
  assert.equal(s.cache.peek('example.test'), undefined)
  await s.cache.lookup('example.test')
  assert.equal(s.fetched.length, 2)
})

test('HTTPS fetcher against a loopback server: trusted CA, name check, size limit', async (t) => {
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  await writeSelfSignedCertificate({ hostname: 'mta-sts.example.test', certPath, keyPath })
  const cert = readFileSync(certPath)
  const server = createServer({ cert, key: readFileSync(keyPath) }, (req, res) => {
    if (req.url === '/.well-known/mta-sts.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(POLICY)
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('x'.repeat(100_000))
    } else {
      res.writeHead(302, { location: 'https://elsewhere.test/' })
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.6', resolve))
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      }),
  )
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const resolver = staticResolver({
    'mta-sts.example.test': { A: ['127.0.0.6'] },
    'mta-sts.wrongname.test': { A: ['127.0.0.6'] },
  })
  const fetcher = createHttpsPolicyFetcher({ ca: cert, port, resolver, timeoutMs: 2000 })
  const got = await fetcher('https://mta-sts.example.test/.well-known/mta-sts.txt')
  assert.deepEqual(got, { status: 200, contentType: 'text/plain', body: POLICY })
  await assert.rejects(fetcher('https://mta-sts.example.test/big'), /larger than/)
  // Redirects are not followed (RFC 8461 3.3): the 302 is the answer.
  assert.equal((await fetcher('https://mta-sts.example.test/moved')).status, 302)
  // The certificate is not valid for this name.
  await assert.rejects(fetcher('https://mta-sts.wrongname.test/.well-known/mta-sts.txt'))
  // Without the test CA the self-signed certificate is not trusted.
  const untrusting = createHttpsPolicyFetcher({ port, resolver, timeoutMs: 2000 })
  await assert.rejects(untrusting('https://mta-sts.example.test/.well-known/mta-sts.txt'))
})
