// Authentication-Results (RFC 8601): formatting, and removal of forged fields that claim our
// authserv-id from the header block only.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { authservIdOf, formatAuthResults, removeOwnAuthResults } from './auth-results.ts'

function headerEnd(message: Buffer): number {
  const i = message.indexOf('\r\n\r\n')
  return i < 0 ? message.length : i + 4
}

void test('authserv-id: token, quoted string, leading comments', () => {
  assert.equal(authservIdOf(' mx.example.test; spf=pass'), 'mx.example.test')
  assert.equal(authservIdOf('(forged) MX.Example.Test 1; none'), 'MX.Example.Test')
  assert.equal(authservIdOf(' "mx.example.test"; dkim=pass'), 'mx.example.test')
  assert.equal(authservIdOf('\r\n\tmx.example.test;\r\n\tdmarc=pass'), 'mx.example.test')
})

void test('forged fields with our authserv-id go (folded ones whole), others stay', () => {
  const raw = Buffer.from(
    'Authentication-Results: mx.example.test;\r\n\tdkim=pass header.d=bank.example\r\n' +
      'Received: from a\r\n' +
      'authentication-results: other.example; spf=fail\r\n' +
      'Authentication-Results:  (c) MX.EXAMPLE.TEST; dmarc=pass\r\n' +
      'Subject: hi\r\n\r\n' +
      'Authentication-Results: mx.example.test; in the body, kept\r\n',
  )
  const { message, removed } = removeOwnAuthResults(raw, headerEnd(raw), 'mx.example.test')
  assert.equal(removed, 2)
  assert.equal(
    message.toString(),
    'Received: from a\r\n' +
      'authentication-results: other.example; spf=fail\r\n' +
      'Subject: hi\r\n\r\n' +
      'Authentication-Results: mx.example.test; in the body, kept\r\n',
  )
})

void test('nothing to remove: the same Buffer comes back', () => {
  const raw = Buffer.from('Subject: x\r\n\r\nbody\r\n')
  const out = removeOwnAuthResults(raw, headerEnd(raw), 'mx.example.test')
  assert.equal(out.message, raw)
  assert.equal(out.removed, 0)
})

void test('a header block without a body, and an empty message', () => {
  const raw = Buffer.from('Authentication-Results: mx.example.test; none\r\nSubject: x\r\n')
  assert.equal(
    removeOwnAuthResults(raw, raw.length, 'mx.example.test').message.toString(),
    'Subject: x\r\n',
  )
  assert.equal(removeOwnAuthResults(Buffer.alloc(0), 0, 'mx').removed, 0)
})

void test('the field: authserv-id, one result per line, folded, "none" when empty', () => {
  const long = `dkim=pass (${'x'.repeat(30)} ${'y'.repeat(30)} ${'z'.repeat(30)}) header.d=a.example`
  const { field, value } = formatAuthResults('mx.example.test', [
    'spf=pass smtp.mailfrom=a.example',
    long,
  ])
  assert.ok(field.startsWith(`Authentication-Results: ${value}\r\n`))
  assert.match(value, /^mx\.example\.test;\r\n\tspf=pass smtp\.mailfrom=a\.example;\r\n\tdkim=pass/)
  for (const line of field.split('\r\n')) assert.ok(line.length <= 80, line)
  assert.equal(formatAuthResults('mx.example.test', []).value, 'mx.example.test;\r\n\tnone')
  assert.match(formatAuthResults('a b', []).value, /^"a b";/)
  assert.doesNotMatch(formatAuthResults('mx', ['spf=pass\r\nX-Evil: 1']).field, /\r\nX-Evil/)
})

void test('property: removal never touches the body and never grows the message', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.constantFrom(
          'Authentication-Results: mx.example.test; x',
          'Authentication-Results: o; y',
          'Subject: s',
          '\tfolded',
        ),
        { maxLength: 8 },
      ),
      fc.string(),
      (lines, body) => {
        const head = lines.filter((l, i) => i > 0 || !l.startsWith('\t'))
        const raw = Buffer.from(`${head.map((l) => `${l}\r\n`).join('')}\r\n${body}`)
        const end = headerEnd(raw)
        const out = removeOwnAuthResults(raw, end, 'mx.example.test')
        assert.ok(out.message.length <= raw.length)
        assert.ok(out.message.toString().endsWith(`\r\n${body}`))
        assert.doesNotMatch(
          out.message.subarray(0, out.message.length - body.length).toString(),
          /mx\.example\.test/,
        )
      },
    ),
  )
})
