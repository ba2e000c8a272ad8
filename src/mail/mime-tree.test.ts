import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseMimeTree, walkParts, type MimeTree } from './mime-tree.ts'
import { parseContentType, parseParams } from './mime-params.ts'
import { decodeEncodedWords } from './encoded-words.ts'

const MSG = [
  'From: a@example.com',
  'Content-Type: multipart/mixed; boundary="XX"',
  '',
  'preamble',
  '--XX',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'hello',
  'world',
  '--XX  ',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  '',
  'inner body',
  '--XX--',
  'epilogue',
  '',
].join('\r\n')

test('parseMimeTree gives RFC 2046 5.1.1 byte offsets', () => {
  const raw = Buffer.from(MSG)
  const tree = parseMimeTree(raw)
  const { root } = tree
  const text = (s: number, e: number): string => raw.toString('utf8', s, e)
  assert.equal(root.contentType.type, 'multipart')
  assert.equal(text(root.headerStart, root.bodyStart).endsWith('"XX"\r\n\r\n'), true)
  assert.equal(root.children.length, 2)
  const [a, b] = root.children
  assert.ok(a !== undefined && b !== undefined)
  assert.equal(text(a.bodyStart, a.bodyEnd), 'hello\r\nworld') // CRLF before "--XX" excluded
  assert.equal(a.lines, 2)
  assert.equal(text(a.headerStart, a.headerEnd), 'Content-Type: text/plain; charset=utf-8\r\n\r\n')
  assert.equal(b.message?.fields[0]?.value, 'inner')
  assert.equal(text(b.message.bodyStart, b.message.bodyEnd), 'inner body')
  assert.equal(tree.partCount, 4)
  assert.equal(tree.isTruncated, false)
})

test('parseMimeTree tolerates bare LF, missing and unterminated boundaries', () => {
  const lf = parseMimeTree(Buffer.from(MSG.replace(/\r\n/g, '\n')))
  assert.equal(lf.root.children.length, 2)
  assert.equal(lf.root.children[0]?.lines, 2)
  const open = parseMimeTree(
    Buffer.from('Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b\n\ny'),
  )
  assert.equal(open.root.children.length, 2)
  assert.equal(open.root.children[1]?.bodyEnd, open.size)
  const none = parseMimeTree(Buffer.from('Content-Type: multipart/mixed\n\nbody'))
  assert.equal(none.root.contentType.type, 'text') // no boundary: treated as text/plain
  const digest = parseMimeTree(
    Buffer.from('Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: x\n\ny\n--d--\n'),
  )
  const child = digest.root.children[0]
  assert.equal(child?.contentType.subtype, 'rfc822') // RFC 2046 5.1.5 default
  assert.equal(child.message?.fields[0]?.value, 'x')
})

test('parseMimeTree defaults, CTE, disposition, language (RFC 2045 5.2, 6.1; RFC 2183)', () => {
  const tree = parseMimeTree(
    Buffer.from(
      'Content-Type: bogus\r\nContent-Transfer-Encoding: Base64 (c)\r\n' +
        'Content-Disposition: Attachment; filename="a b.txt"\r\nContent-Language: en, de\r\n' +
        'Content-ID: <id@x>\r\n\r\naGk=\r\n',
    ),
  )
  const { root } = tree
  assert.equal(root.hasContentType, false)
  assert.deepEqual([root.contentType.type, root.contentType.subtype], ['text', 'plain'])
  assert.equal(root.transferEncoding, 'base64')
  assert.equal(root.disposition?.value, 'attachment')
  assert.equal(root.disposition.params[0]?.value, 'a b.txt')
  assert.deepEqual(root.language, ['en', 'de'])
  assert.equal(root.contentId, '<id@x>')
})

test('RFC 2231 continuations, charset and language', () => {
  // RFC 2231 4.1's example.
  const ps = parseParams(
    "; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20;" +
      ' title*2="isn\'t it!"',
  )
  assert.deepEqual(ps[0], {
    name: 'title',
    value: "This is even more ***fun*** isn't it!",
    charset: 'us-ascii',
    language: 'en',
    extended: "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn%27t%20it!",
  })
  const euro = parseContentType("application/x-stuff; name*=utf-8''%E2%82%AC.txt")
  assert.ok(euro !== undefined)
  assert.deepEqual(
    [euro.params[0]?.value, euro.params[0]?.extended],
    ['€.txt', "utf-8''%E2%82%AC.txt"],
  )
  const latin = parseContentType("text/plain; NAME*=iso-8859-1'de'Fr%F6sche")
  assert.equal(latin?.params[0]?.value, 'Frösche')
  assert.equal(parseContentType('text')?.type, undefined)
  assert.equal(parseContentType('TEXT/HTML (c) ; Charset = "UTF-8"')?.params[0]?.value, 'UTF-8')
})

test('RFC 2047 encoded words (RFC 2047 8 examples)', () => {
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a?= b'), 'a b')
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?='), 'ab')
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a_b?='), 'a b')
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?='), 'a b')
  assert.equal(decodeEncodedWords('=?utf-8?B?4oKs?= x'), '€ x')
  assert.equal(decodeEncodedWords('=?utf-8?Q?=E2=82?= =?utf-8?Q?=AC?='), '€') // split character
  assert.equal(decodeEncodedWords('=?x-unknown?Q?caf=E9?='), 'café')
  assert.equal(decodeEncodedWords('=?US-ASCII*EN?Q?Keith_Moore?='), 'Keith Moore') // RFC 2231 5
})

test('parseMimeTree caps depth and part count', () => {
  let msg = ''
  for (let i = 0; i < 300; i++) msg += `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n`
  const deep = parseMimeTree(Buffer.from(msg + '\nleaf\n'))
  assert.equal(deep.isTruncated, true)
  let maxDepth = 0
  walkParts(deep.root, (p) => (maxDepth = Math.max(maxDepth, p.depth)))
  assert.equal(maxDepth, 100)
  const many = 'Content-Type: multipart/mixed; boundary=b\n\n' + '--b\n\nx\n'.repeat(20_000)
  const wide = parseMimeTree(Buffer.from(many), { maxParts: 1000 })
  assert.equal(wide.partCount, 1000)
  assert.equal(wide.isTruncated, true)
  let msgs = ''
  for (let i = 0; i < 500; i++) msgs += 'Content-Type: message/rfc822\n\n'
  assert.equal(parseMimeTree(Buffer.from(msgs)).isTruncated, true)
})

function assertWellFormed(tree: MimeTree): void {
  walkParts(tree.root, (p) => {
    assert.ok(p.headerStart <= p.headerEnd && p.headerEnd === p.bodyStart)
    assert.ok(p.bodyStart <= p.bodyEnd && p.bodyEnd <= tree.size)
    for (const c of [...p.children, ...(p.message === null ? [] : [p.message])]) {
      assert.ok(c.headerStart >= p.bodyStart && c.bodyEnd <= p.bodyEnd)
      assert.equal(c.depth, p.depth + 1)
    }
  })
}

const line = fc.oneof(
  fc.constantFrom('--b', '--b--', '--c', '', 'Content-Type: multipart/mixed; boundary=c'),
  fc.constantFrom('Content-Type: message/rfc822', 'Content-Type: multipart/mixed; boundary=b'),
  fc.constantFrom('Subject: x', ' folded', 'garbage', 'Content-Type: text/plain; name*0*=x'),
  fc.string({ maxLength: 20 }),
)

test('property: any bytes parse without throwing, offsets in bounds and nested', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      assertWellFormed(parseMimeTree(Buffer.from(bytes)))
    }),
    { numRuns: 500 },
  )
  fc.assert(
    fc.property(fc.array(line, { maxLength: 40 }), fc.boolean(), (lines, crlf) => {
      const raw = Buffer.from(lines.join(crlf ? '\r\n' : '\n'))
      assertWellFormed(parseMimeTree(raw, { maxDepth: 5 }))
    }),
    { numRuns: 1000 },
  )
})
