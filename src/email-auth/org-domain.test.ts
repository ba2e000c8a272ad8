// The Organizational Domain (RFC 7489 3.2) by the Public Suffix List: the list's own test
// vectors (../shared/conformance/publicsuffix-psl/test_psl.txt) through organizationalDomain,
// and alignment built on it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { domainToASCII } from 'node:url'
import { isAligned, organizationalDomain } from './org-domain.ts'

const TESTS = new URL('../../../shared/conformance/publicsuffix-psl/test_psl.txt', import.meta.url)

void test('publicsuffix-psl test_psl.txt: every checkPublicSuffix case', () => {
  const cases = readFileSync(TESTS, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('checkPublicSuffix('))
  const failures: string[] = []
  for (const line of cases) {
    const m = /^checkPublicSuffix\((null|'[^']*'), (null|'[^']*')\);/.exec(line)
    assert.ok(m, line)
    const input = m[1] === 'null' ? null : (m[1] ?? '').slice(1, -1)
    const expected = m[2] === 'null' ? undefined : domainToASCII((m[2] ?? '').slice(1, -1))
    const got = input === null ? undefined : organizationalDomain(input)
    if (got !== expected)
      failures.push(`${String(input)}: got ${String(got)}, expected ${String(expected)}`)
  }
  assert.deepEqual(failures, [])
  assert.ok(cases.length >= 78, `${cases.length} cases`)
})

void test('alignment: relaxed shares the Organizational Domain, strict needs equality', () => {
  assert.equal(isAligned('mail.example.co.uk', 'example.co.uk', 'r'), true)
  assert.equal(isAligned('mail.example.co.uk', 'example.co.uk', 's'), false)
  assert.equal(isAligned('EXAMPLE.org.', 'example.org', 's'), true)
  assert.equal(isAligned('a.example.co.uk', 'b.other.co.uk', 'r'), false)
  // Two customers of one private suffix (github.io is on the list) do not align.
  assert.equal(isAligned('alice.github.io', 'bob.github.io', 'r'), false)
  assert.equal(isAligned('co.uk', 'co.uk', 'r'), true)
  assert.equal(isAligned('', 'example.org', 'r'), false)
})
