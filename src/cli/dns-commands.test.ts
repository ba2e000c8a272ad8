// `postern dns DOMAIN` and `postern dns check DOMAIN` through the real CLI; the check asks a
// DNS server on loopback (test/harness/dns-server.ts) that has some records right, one wrong
// and the others missing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runPostern } from '../../test/harness/postern-process.ts'
import { startDnsServer } from '../../test/harness/dns-server.ts'
import { dkimKeyFiles } from '../app/init.ts'
import { dkimPublicKey } from '../dns-publish/dns-records.ts'

async function initData(t: { after: (fn: () => void) => void }): Promise<string> {
  const parent = mkdtempSync(path.join(tmpdir(), 'postern-dns-'))
  t.after(() => {
    rmSync(parent, { recursive: true, force: true })
  })
  const data = path.join(parent, 'data')
  const init = await runPostern([
    'init',
    '--data',
    data,
    '--domain',
    'example.org',
    '--hostname',
    'mx.example.org',
  ])
  assert.equal(init.code, 0, init.stderr)
  return data
}

void test('postern dns prints every record in zone-file form', async (t) => {
  const data = await initData(t)
  const out = await runPostern(['dns', 'example.org', '--data', data], {
    env: {
      POSTERN_DMARC_SERVER_IPS: '192.0.2.25',
    },
  })
  assert.equal(out.code, 0, out.stderr)
  const expected = [
    /^example\.org\.\tIN MX 10 mx\.example\.org\.$/m,
    /^example\.org\.\tIN TXT "v=spf1 mx ip4:192\.0\.2\.25 -all"$/m,
    /^postern-rsa\._domainkey\.example\.org\.\tIN TXT "v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+" "[A-Za-z0-9+/=]+"$/m,
    /^postern-ed25519\._domainkey\.example\.org\.\tIN TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/=]{44}"$/m,
    /^_dmarc\.example\.org\.\tIN TXT "v=DMARC1; p=quarantine; rua=mailto:postmaster@example\.org; adkim=r; aspf=r"$/m,
    /^_mta-sts\.example\.org\.\tIN TXT "v=STSv1; id=[0-9a-f]{20}"$/m,
    /^mta-sts\.example\.org\.\tIN CNAME mx\.example\.org\.$/m,
    /^_smtp\._tls\.example\.org\.\tIN TXT "v=TLSRPTv1; rua=mailto:postmaster@example\.org"$/m,
    /^_submission\._tcp\.example\.org\.\tIN SRV 0 1 1587 mx\.example\.org\.$/m,
    /^_submissions\._tcp\.example\.org\.\tIN SRV 0 1 1465 mx\.example\.org\.$/m,
    /^_imap\._tcp\.example\.org\.\tIN SRV 10 1 1143 mx\.example\.org\.$/m,
    /^_imaps\._tcp\.example\.org\.\tIN SRV 0 1 1993 mx\.example\.org\.$/m,
    /^_pop3s\._tcp\.example\.org\.\tIN SRV 20 1 1995 mx\.example\.org\.$/m,
    /^autoconfig\.example\.org\.\tIN CNAME mx\.example\.org\.$/m,
  ]
  for (const re of expected) assert.match(out.stdout, re)
  // A listener that is off is published as "not offered" (RFC 6186 3.4: target ".").
  const off = await runPostern(['dns', 'example.org', '--data', data], {
    env: { POSTERN_LISTEN_SUBMISSIONS: '' },
  })
  assert.match(off.stdout, /^_submissions\._tcp\.example\.org\.\tIN SRV 0 0 0 \.$/m)
  // Every record is preceded by a comment saying why it matters.
  const lines = out.stdout.trimEnd().split('\n')
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith(';')) assert.match(lines[i - 1] ?? '', /^; /, line)
  }
  // The TXT strings are at most 255 bytes each.
  for (const m of out.stdout.matchAll(/"([^"]*)"/g)) assert.ok((m[1] ?? '').length <= 255)
  const bad = await runPostern(['dns', 'not a domain', '--data', data])
  assert.equal(bad.code, 1)
})

void test('postern dns check: ok / missing / wrong per record, exit 1', async (t) => {
  const data = await initData(t)
  const keys = dkimKeyFiles({ dataDir: data, domain: 'example.org', selector: 'postern' })
  const rsa = dkimPublicKey({ path: keys.rsa.path, algorithm: 'rsa' })
  const dns = await startDnsServer({
    records: {
      'example.org': [
        { type: 'MX', data: { preference: 10, exchange: 'mx.example.org' } },
        { type: 'TXT', data: 'v=spf1 mx -all' },
      ],
      'mx.example.org': [{ type: 'A', data: '127.0.0.1' }],
      'postern-rsa._domainkey.example.org': [
        { type: 'TXT', data: [`v=DKIM1; k=rsa; p=${rsa.slice(0, 200)}`, rsa.slice(200)] },
      ],
      // Wrong: another key than ours.
      'postern-ed25519._domainkey.example.org': [
        { type: 'TXT', data: 'v=DKIM1; k=ed25519; p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      ],
      '_dmarc.example.org': [
        { type: 'TXT', data: 'v=DMARC1; p=reject; rua=mailto:postmaster@example.org' },
      ],
      'mta-sts.example.org': [{ type: 'CNAME', data: 'mx.example.org' }],
      '_imaps._tcp.example.org': [
        { type: 'SRV', data: { priority: 0, weight: 1, port: 1993, target: 'mx.example.org' } },
      ],
      // Wrong: another host.
      '_imap._tcp.example.org': [
        {
          type: 'SRV',
          data: { priority: 0, weight: 1, port: 143, target: 'imap.elsewhere.example' },
        },
      ],
    },
  })
  t.after(() => dns.close())
  const out = await runPostern(['dns', 'check', 'example.org', '--data', data], {
    env: {
      POSTERN_DNS_SERVERS: dns.address,
    },
  })
  assert.equal(out.code, 1, out.stdout + out.stderr)
  const status = (name: string, type: string): string | undefined =>
    new RegExp(`^(\\w+)\\s+${type}\\s+${name.replace(/\./g, '\\.')}(?: |$)`, 'm').exec(
      out.stdout,
    )?.[1]
  assert.equal(status('example.org', 'MX'), 'ok')
  assert.equal(status('example.org', 'TXT'), 'ok')
  assert.equal(status('postern-rsa._domainkey.example.org', 'TXT'), 'ok')
  assert.equal(status('postern-ed25519._domainkey.example.org', 'TXT'), 'wrong')
  assert.equal(status('_dmarc.example.org', 'TXT'), 'ok')
  assert.equal(status('mta-sts.example.org', 'CNAME'), 'ok')
  assert.equal(status('_imaps._tcp.example.org', 'SRV'), 'ok')
  assert.equal(status('_imap._tcp.example.org', 'SRV'), 'wrong')
  assert.equal(status('_mta-sts.example.org', 'TXT'), 'missing')
  assert.equal(status('_smtp._tls.example.org', 'TXT'), 'missing')
  assert.match(out.stdout, /why: tells senders to require TLS to the MX/)
  assert.match(out.stdout, /^6 ok, 6 missing, 2 wrong, 0 unknown$/m)
  assert.match(out.stderr, /^postern: 8 of 14 DNS records need attention$/m)
})
