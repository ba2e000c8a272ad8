// Table tests for ENVELOPE, BODYSTRUCTURE and BODY[section] / BINARY[] (RFC 9051 6.4.5, 7.5.2).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseMimeTree } from './mime-tree.ts'
import { envelope } from './envelope.ts'
import { bodyStructure } from './body-structure.ts'
import { binarySection, binarySize, section, sectionBytes } from './section.ts'
import { parseSectionSpec } from './section-spec.ts'

const RAW = Buffer.from(
  [
    'Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
    'From: Terry Gray <gray@cac.washington.edu>',
    'Subject: IMAP4rev2 WG mtg summary and',
    '  minutes',
    'To: imap@cac.washington.edu, Friends: a@b.example, c@d.example;',
    'cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>',
    'Message-Id: <B27397-0100000@cac.washington.edu>',
    'MIME-Version: 1.0',
    'Content-Type: MULTIPART/MIXED; BOUNDARY="b1"',
    '',
    '--b1',
    'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII',
    '',
    'line one',
    'line two',
    '--b1',
    "Content-Type: application/octet-stream; name*=utf-8''%E2%82%AC.bin",
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename=x.bin',
    'Content-Language: en',
    '',
    'aGVsbG8gd29ybGQ=',
    '--b1',
    'Content-Type: message/rfc822',
    '',
    'Subject: inner',
    'From: x@y.example',
    '',
    'inner text',
    '--b1',
    'Content-Type: text/plain',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'caf=C3=A9 =',
    'ok',
    '--b1',
    'Content-Transfer-Encoding: x-uuencode',
    '',
    'begin',
    '--b1--',
    '',
  ].join('\r\n'),
)
const TREE = parseMimeTree(RAW)

function fetch(spec: string, partial = ''): string {
  const s = parseSectionSpec(spec, partial)
  assert.ok(s !== undefined, spec)
  const r = section(RAW, TREE, s)
  assert.ok(r.kind === 'ok', spec)
  return sectionBytes(RAW, r.pieces).toString()
}

test('ENVELOPE: raw strings, Sender/Reply-To default to From, groups (RFC 9051 7.5.2)', () => {
  const env = envelope(TREE)
  assert.equal(env.date, 'Wed, 17 Jul 1996 02:23:25 -0700 (PDT)')
  assert.equal(env.subject, 'IMAP4rev2 WG mtg summary and  minutes')
  const gray = { name: 'Terry Gray', adl: null, mailbox: 'gray', host: 'cac.washington.edu' }
  assert.deepEqual(env.from, [gray])
  assert.deepEqual(env.sender, [gray])
  assert.deepEqual(env.replyTo, [gray])
  assert.deepEqual(env.to, [
    { name: null, adl: null, mailbox: 'imap', host: 'cac.washington.edu' },
    { name: null, adl: null, mailbox: 'Friends', host: null },
    { name: null, adl: null, mailbox: 'a', host: 'b.example' },
    { name: null, adl: null, mailbox: 'c', host: 'd.example' },
    { name: null, adl: null, mailbox: null, host: null },
  ])
  assert.equal(env.cc?.[1]?.name, 'John Klensin')
  assert.equal(env.bcc, null)
  assert.equal(env.inReplyTo, null)
  assert.equal(env.messageId, '<B27397-0100000@cac.washington.edu>')
  const noHost = envelope(parseMimeTree(Buffer.from('From: Whomever\r\nSender:\r\n\r\n')))
  assert.deepEqual(noHost.from, [
    { name: null, adl: null, mailbox: 'Whomever', host: 'MISSING_DOMAIN' },
  ])
  assert.deepEqual(noHost.sender, noHost.from)
})

test('BODYSTRUCTURE and BODY (RFC 9051 7.5.2)', () => {
  const bs = bodyStructure(TREE, { extended: true })
  assert.ok(bs.kind === 'multipart')
  assert.equal(bs.subtype, 'MIXED')
  assert.deepEqual(bs.extension?.params, [{ name: 'BOUNDARY', value: 'b1' }])
  const [text, bin, msg, qp] = bs.parts
  assert.deepEqual(text, {
    kind: 'text',
    type: 'TEXT',
    subtype: 'PLAIN',
    fields: {
      params: [{ name: 'CHARSET', value: 'US-ASCII' }],
      id: null,
      description: null,
      encoding: '7BIT',
      size: 18,
    },
    lines: 2,
    extension: { md5: null, disposition: null, language: null, location: null },
  })
  assert.ok(bin?.kind === 'basic')
  assert.deepEqual(bin.fields.params, [{ name: 'NAME*', value: "utf-8''%E2%82%AC.bin" }])
  assert.equal(bin.fields.encoding, 'BASE64')
  assert.deepEqual(bin.extension?.disposition, {
    type: 'ATTACHMENT',
    params: [{ name: 'FILENAME', value: 'x.bin' }],
  })
  assert.deepEqual(bin.extension.language, ['en'])
  assert.ok(msg?.kind === 'message')
  assert.equal(msg.envelope.subject, 'inner')
  assert.equal(msg.body.kind, 'text')
  assert.equal(msg.lines, 4)
  assert.equal(qp?.kind, 'text')
  const body = bodyStructure(TREE, { extended: false })
  assert.ok(body.kind === 'multipart' && !('extension' in body))
  assert.ok(body.parts.every((p) => !('extension' in p)))
  const empty = bodyStructure(
    parseMimeTree(Buffer.from('Content-Type: multipart/mixed; boundary=x\r\n\r\n')),
    { extended: false },
  )
  assert.ok(empty.kind === 'multipart' && empty.parts[0]?.kind === 'text') // Dovecot's rule
})

test('BODY[section] byte-exact (RFC 9051 6.4.5)', () => {
  assert.equal(fetch(''), RAW.toString())
  assert.equal(fetch('HEADER'), RAW.toString().slice(0, RAW.indexOf('\r\n\r\n') + 4))
  assert.equal(
    fetch('HEADER.FIELDS (subject Message-ID)'),
    'Subject: IMAP4rev2 WG mtg summary and\r\n  minutes\r\nMessage-Id: <B27397-0100000@cac.washington.edu>\r\n\r\n',
  )
  assert.equal(fetch('HEADER.FIELDS (X-None)'), '\r\n')
  assert.ok(!fetch('HEADER.FIELDS.NOT (Date From Subject To Cc Message-Id)').includes('Date:'))
  assert.equal(fetch('1'), 'line one\r\nline two')
  assert.equal(fetch('1.MIME'), 'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n')
  assert.equal(fetch('3'), 'Subject: inner\r\nFrom: x@y.example\r\n\r\ninner text')
  assert.equal(fetch('3.HEADER'), 'Subject: inner\r\nFrom: x@y.example\r\n\r\n')
  assert.equal(fetch('3.TEXT'), 'inner text')
  assert.equal(fetch('3.1'), 'inner text') // non-multipart message: part 1 is its body
  assert.equal(fetch('3.HEADER.FIELDS (FROM)'), 'From: x@y.example\r\n\r\n')
  assert.equal(fetch('1', '<5.100>'), 'one\r\nline two')
  assert.equal(fetch('1', '<500.10>'), '')
  assert.equal(fetch('HEADER.FIELDS (Subject)', '<40.100>'), ' minutes\r\n\r\n')
  assert.equal(section(RAW, TREE, { path: [9], text: null, partial: null }).kind, 'no-such-part')
  assert.equal(section(RAW, TREE, { path: [1, 2], text: null, partial: null }).kind, 'no-such-part')
  assert.equal(
    section(RAW, TREE, { path: [], text: { kind: 'mime' }, partial: null }).kind,
    'invalid',
  )
  const single = Buffer.from('Subject: s\r\n\r\nbody')
  const st = parseMimeTree(single)
  const r = section(single, st, { path: [1], text: null, partial: null })
  assert.ok(r.kind === 'ok' && sectionBytes(single, r.pieces).toString() === 'body')
})

test('BINARY[] and BINARY.SIZE decode the transfer encoding (RFC 9051 6.4.5)', () => {
  const b64 = binarySection(RAW, TREE, [2])
  assert.ok(b64.kind === 'ok' && b64.bytes.toString() === 'hello world')
  const qp = binarySection(RAW, TREE, [4])
  assert.ok(qp.kind === 'ok' && qp.bytes.toString() === 'café ok')
  assert.deepEqual(binarySize(RAW, TREE, [2]), { kind: 'ok', size: 11 })
  assert.deepEqual(binarySection(RAW, TREE, [5]), { kind: 'unknown-cte', encoding: 'x-uuencode' })
  const part = binarySection(RAW, TREE, [2], { offset: 6, length: 3 })
  assert.ok(part.kind === 'ok' && part.bytes.toString() === 'wor')
  assert.equal(binarySection(RAW, TREE, [7]).kind, 'no-such-part')
})

test('parseSectionSpec accepts RFC 9051 section syntax and rejects the rest', () => {
  assert.deepEqual(parseSectionSpec('1.2.HEADER.FIELDS.NOT (A B)', '<0.10>'), {
    path: [1, 2],
    text: { kind: 'header-fields', fields: ['A', 'B'], isNot: true },
    partial: { offset: 0, length: 10 },
  })
  for (const bad of ['MIME', '0', '1.', 'HEADER.FIELDS ()', 'FOO', '1..2']) {
    assert.equal(parseSectionSpec(bad), undefined, bad)
  }
})
