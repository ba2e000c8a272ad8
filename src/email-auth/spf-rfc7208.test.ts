// Conformance: the OpenSPF RFC 7208 test suite (../shared/conformance/spf-rfc7208-openspf,
// pyspf's copy) run through mailauth's SPF in strict mode (as authenticator.ts runs it) with the suite's DNS data served by a table
// resolver, reported per section. Cases where mailauth's answer differs are listed with the
// reason (KNOWN_DEVIATIONS): the test fails if the list grows or if a listed case starts to pass.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import { spf } from 'mailauth'
import type { RrType } from '../dns/resolver.ts'
import {
  addRecord,
  emptyZone,
  zoneKey,
  zoneResolver,
  type ZoneTable,
} from '../../test/harness/zone-resolver.ts'

const SUITE = new URL(
  '../../../shared/conformance/spf-rfc7208-openspf/rfc7208-tests.yml',
  import.meta.url,
)

interface SpfCase {
  helo: string
  host: string
  mailfrom: string
  result: string | string[]
  explanation?: string
}

interface SpfSection {
  description: string
  tests: Record<string, SpfCase>
  zonedata: Record<string, unknown[]>
}

/** Case name → why mailauth's result differs from the suite's. */
const KNOWN_DEVIATIONS: Record<string, string> = {}

function buildZone(zonedata: Record<string, unknown[]>): ZoneTable {
  const zone = emptyZone()
  for (const [name, entries] of Object.entries(zonedata)) {
    const hasTxt = entries.some((e) => typeof e === 'object' && e !== null && 'TXT' in e)
    if (entries.length === 0) zone.records.set(zoneKey(name), [])
    for (const entry of entries) {
      if (entry === 'TIMEOUT') {
        zone.timeouts.add(zoneKey(name))
        continue
      }
      for (const [type, value] of Object.entries(entry as Record<string, unknown>)) {
        addEntry(zone, name, type, value, hasTxt)
      }
    }
  }
  return zone
}

function addEntry(zone: ZoneTable, name: string, type: string, value: unknown, hasTxt: boolean) {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)])
  switch (type) {
    case 'TIMEOUT':
      zone.timeouts.add(zoneKey(name))
      return
    case 'SPF':
      // Type 99 is gone in RFC 7208 (3.1); served as TXT unless the name has TXT of its own.
      if (!hasTxt) addRecord(zone, name, { type: 'TXT', data: strings(value) })
      return
    case 'TXT':
      // "TXT: NONE" is the suite's marker for "no TXT record" (the name still exists).
      if (value === 'NONE') zone.records.set(zoneKey(name), zone.records.get(zoneKey(name)) ?? [])
      else addRecord(zone, name, { type: 'TXT', data: strings(value) })
      return
    case 'MX': {
      const [priority, exchange] = value as [number, string]
      addRecord(zone, name, { type: 'MX', data: { priority, exchange } })
      return
    }
    case 'A':
    case 'AAAA':
    case 'PTR':
    case 'CNAME':
      addRecord(zone, name, { type: type as 'A', data: String(value) })
      return
    default:
      throw new Error(`unknown zone record type ${type}`)
  }
}

function loadSuite(): SpfSection[] {
  const text = readFileSync(SUITE, 'utf8')
  return parseAllDocuments(text)
    .map((d) => d.toJS() as SpfSection | null)
    .filter((d): d is SpfSection => d !== null && typeof d === 'object' && 'tests' in d)
}

void test('RFC 7208 (OpenSPF) suite: every case, per section', async () => {
  const sections = loadSuite()
  const rows: string[] = []
  const failures: string[] = []
  const deviated: string[] = []
  let total = 0
  for (const section of sections) {
    const resolve = zoneResolver(buildZone(section.zonedata))
    const resolver = (name: string, type: string): Promise<string[]> =>
      resolve(name, type as RrType) as Promise<string[]>
    let passed = 0
    const names = Object.keys(section.tests)
    for (const name of names) {
      const c = section.tests[name]
      if (c === undefined) continue
      total++
      const res = await spf({
        ip: c.host,
        helo: c.helo,
        mta: 'mx.example.test',
        resolver,
        // As Postern runs it (authenticator.ts): RFC 7208 exactly.
        strict: true,
        ...(c.mailfrom === '' ? {} : { sender: c.mailfrom }),
      })
      const expected = Array.isArray(c.result) ? c.result : [c.result]
      const ok = expected.includes(res.status.result)
      if (ok) passed++
      if (name in KNOWN_DEVIATIONS) {
        if (ok) failures.push(`${name}: listed as a deviation but now passes`)
        else deviated.push(name)
      } else if (!ok) {
        failures.push(`${name}: got ${res.status.result}, expected ${expected.join('|')}`)
      }
    }
    rows.push(`${section.description.padEnd(40)} ${String(passed).padStart(3)}/${names.length}`)
  }
  console.log(`RFC 7208 suite by section:\n${rows.join('\n')}\ntotal cases ${total}`)
  assert.deepEqual(failures, [])
  assert.equal(deviated.length, Object.keys(KNOWN_DEVIATIONS).length)
  assert.ok(total >= 200, `the whole suite ran (${total} cases)`)
})
