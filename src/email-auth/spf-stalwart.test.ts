// Conformance: the SPF cases of Stalwart's mail-auth crate (../shared/conformance/
// stalwart-mail-auth/spf), run through mailauth's SPF in strict mode as authenticator.ts runs
// it. The files repeat keys, so they are read line by line as upstream reads them; names that
// start with "_dns_error" answer SERVFAIL, as upstream's test resolver does.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { isIPv6 } from 'node:net'
import { spf } from 'mailauth'
import { dnsError, reverseName, type ResolveFn, type RrType } from '../dns/resolver.ts'
import {
  emptyZone,
  zoneKey,
  zoneResolver,
  type ZoneAnswer,
  type ZoneTable,
} from '../../test/harness/zone-resolver.ts'

const DIR = new URL('../../../shared/conformance/stalwart-mail-auth/spf/', import.meta.url)

interface Check {
  zone: ZoneTable
  domain: string
  sender: string
  ip: string
  helo: string
  expect: string
  explanation: string
}

interface Scenario {
  file: string
  name: string
  zone: ZoneTable
  checks: Check[]
}

/**
 * Upstream's reading: a walk over the lines. Record lines (anywhere) replace that name's
 * records of that type in one zone per file; `domain:` is the HELO name, `sender:` the MAIL
 * FROM, `ip:` the client; each `expect:` is a check with the values current at that line.
 */
function parseFile(file: string, text: string): Scenario[] {
  const scenarios: Scenario[] = []
  const zone = emptyZone()
  for (const doc of text.split(/^---\s*$/m)) {
    const scenario: Scenario = { file, name: '', zone, checks: [] }
    const current = { domain: '', sender: '', ip: '127.0.0.1', helo: '' }
    for (const raw of doc.split('\n')) {
      const line = raw.trim().replace(/^- ?/, '')
      if (line.startsWith('#')) continue
      const m = /^([a-z_]+):\s?(.*)$/.exec(line)
      if (!m) continue
      const [, key = '', rawValue = ''] = m
      const value = rawValue.trim()
      if (key === 'name') scenario.name = value
      else if (RECORD_TYPES.has(key)) addZoneLine(zone, key, value)
      else if (key === 'expect') {
        const [word = '', ...rest] = value.split(' ')
        const checkZone = { records: new Map(zone.records), timeouts: new Set(zone.timeouts) }
        scenario.checks.push({
          ...current,
          expect: word,
          explanation: rest.join(' '),
          zone: checkZone,
        })
      } else if (key === 'domain' || key === 'sender' || key === 'ip') current[key] = value
    }
    if (scenario.checks.length > 0) scenarios.push(scenario)
  }
  return scenarios
}

const RECORD_TYPES = new Set(['spf', 'exp', 'a', 'aaaa', 'mx', 'ptr'])

function setRecords(zone: ZoneTable, name: string, type: string, answers: ZoneAnswer[]): void {
  const key = zoneKey(name)
  const others = (zone.records.get(key) ?? []).filter((a) => a.type !== type)
  zone.records.set(key, [...others, ...answers])
}

function addZoneLine(zone: ZoneTable, type: string, value: string): void {
  const space = value.indexOf(' ')
  const name = value.slice(0, space)
  const data = value.slice(space + 1).trim()
  const list = data
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  switch (type) {
    case 'spf':
    case 'exp':
      setRecords(zone, name, 'TXT', [{ type: 'TXT', data: [data] }])
      return
    case 'a':
      setRecords(
        zone,
        name,
        'A',
        list.map((ip) => ({ type: 'A', data: ip })),
      )
      return
    case 'aaaa':
      setRecords(
        zone,
        name,
        'AAAA',
        list.map((ip) => ({ type: 'AAAA', data: ip })),
      )
      return
    case 'mx':
      setRecords(
        zone,
        name,
        'MX',
        list.map((ip, pos) => {
          // Upstream names them mx.<ip>.<pos>; a name must end in a non-numeric label here.
          const exchange = `mx-${pos}-${ip.replace(/[.:]/g, '-')}.mx.invalid`
          const family = isIPv6(ip) ? 'AAAA' : 'A'
          setRecords(zone, exchange, family, [{ type: family, data: ip }])
          return { type: 'MX', data: { priority: pos + 1, exchange } }
        }),
      )
      return
    case 'ptr':
      setRecords(
        zone,
        reverseName(name),
        'PTR',
        list.map((host) => ({ type: 'PTR', data: host })),
      )
      return
    default:
      throw new Error(`unknown record type ${type}`)
  }
}

function withDnsErrors(resolve: ResolveFn): ResolveFn {
  return (name, rrtype) =>
    name.toLowerCase().startsWith('_dns_error')
      ? Promise.reject(dnsError('ESERVFAIL', name, rrtype))
      : resolve(name, rrtype)
}

/**
 * Upstream's SpfParameters::verify: the HELO identity first; only when it passes, the MAIL
 * FROM identity (postmaster@HELO for an empty sender) decides.
 */
async function verifyFull(
  c: Check,
  resolver: (name: string, type: string) => Promise<string[]>,
): Promise<Awaited<ReturnType<typeof spf>>> {
  const base = { ip: c.ip, helo: c.domain, mta: 'localdomain.org', resolver, strict: true }
  const helo = await spf({ ...base, sender: `postmaster@${c.domain}` })
  if (helo.status.result !== 'pass') return helo
  return spf({ ...base, sender: c.sender === '' ? `postmaster@${c.domain}` : c.sender })
}

/**
 * Checks where mailauth (strict, as Postern runs it) and upstream's expectation differ, each
 * with the reason; keyed "file|scenario|sender|ip". The test fails if one starts to agree.
 */
const KNOWN_DEVIATIONS: Record<string, string> = {
  'all.yml|All test|sender@test.org|10.0.0.1':
    'record "-all ip:10.0.0.1": "ip:" is no mechanism, a syntax error anywhere is permerror (RFC 7208 4.6); upstream stops at -all',
  'basic.yml|DNS Temp Error|sender@_dns_error.org|172.168.0.1':
    'mailauth finds "_dns_error.org" malformed and answers none before any lookup (RFC 7208 4.3); upstream gets temperror from a live resolver',
  'basic.yml|DNS Lookup Limits|sender@ok.test.org|172.168.0.1':
    'ten a: names that do not exist are more than two void lookups: permerror (RFC 7208 4.6.4); upstream has no void-lookup limit',
  'exists.yml|Exists|sender@ip6.test.org|167.1.2.3':
    'exists: asks for A records even for IPv6 clients (RFC 7208 5.7); the name has only AAAA',
  'ip.yml|IPv6 match|sender@test.org|10.1.2.3':
    'an IPv4 client never matches ip6: (RFC 7208 5.6), even ip6:::ffff:10.1.2.3',
  'macro.yml|Macro expansion 2|strong-bad@email.example.com|2001:db8::cb01':
    'exists: asks for A records only (RFC 7208 5.7); the expanded name has only an AAAA record',
}

void test('Stalwart mail-auth SPF cases: every check', async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yml'))
  const failures: string[] = []
  const rows: string[] = []
  let total = 0
  let deviated = 0
  for (const file of files.sort()) {
    let passed = 0
    let count = 0
    for (const scenario of parseFile(file, readFileSync(new URL(file, DIR), 'utf8'))) {
      for (const c of scenario.checks) {
        const resolve = withDnsErrors(zoneResolver(c.zone))
        const resolver = (name: string, type: string): Promise<string[]> =>
          resolve(name, type as RrType) as Promise<string[]>
        count++
        const res = await verifyFull(c, resolver)
        const resultOk = res.status.result === c.expect
        const explanationOk = c.explanation === '' || res.explanation === c.explanation
        const key = `${file}|${scenario.name}|${c.sender}|${c.ip}`
        if (key in KNOWN_DEVIATIONS) {
          if (resultOk && explanationOk) failures.push(`${key}: listed as a deviation but agrees`)
          else deviated++
        } else if (resultOk && explanationOk) passed++
        else {
          const got = `${res.status.result}${res.explanation === undefined ? '' : ` "${res.explanation}"`}`
          failures.push(
            `${file} "${scenario.name}" ${c.sender || c.domain} ${c.ip}: got ${got}, expected ${c.expect} ${c.explanation}`,
          )
        }
      }
    }
    total += count
    rows.push(`${file.padEnd(16)} ${String(passed).padStart(3)}/${count}`)
  }
  console.log(
    `Stalwart SPF checks by file (agree/total):\n${rows.join('\n')}\ntotal ${total}, known deviations ${deviated}`,
  )
  assert.deepEqual(failures, [])
  assert.equal(deviated, Object.keys(KNOWN_DEVIATIONS).length)
  assert.ok(total >= 160, `every check ran (${total})`)
})
