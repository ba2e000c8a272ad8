import assert from 'node:assert/strict'
import { test } from 'node:test'
import { headerValue, parseMimeTree } from '../mail/mime-tree.ts'
import { paramValue } from '../mail/mime-params.ts'
import { parseBounce } from '../bounce/parse.ts'
import {
  composeDsn,
  deliveryStatusBody,
  headerBlock,
  isInternationalDsn,
  rfc5322Date,
  type DsnInput,
  type DsnRecipientReport,
} from './compose-dsn.ts'

const original = Buffer.from(
  'From: alice@a.test\r\nTo: nobody@b.test\r\nSubject: hello\r\nMessage-ID: <orig-1@a.test>\r\n' +
    '\r\nthe body line\r\n',
)

const input = (over: Partial<DsnInput> = {}): DsnInput => ({
  reportingMta: 'mx.a.test',
  to: 'alice@a.test',
  envid: 'ENV-42',
  arrivalDate: Date.UTC(2026, 10, 28, 5, 0, 0),
  date: Date.UTC(2026, 10, 28, 5, 10, 0),
  recipients: [
    {
      finalRecipient: 'nobody@b.test',
      originalRecipient: 'rfc822;Nobody@b.test',
      action: 'failed',
      status: '5.1.1',
      remoteMta: 'mx.b.test',
      diagnostic: '550 5.1.1 no such user',
      lastAttemptAt: Date.UTC(2026, 10, 28, 5, 9, 0),
    },
  ],
  original,
  returnContent: 'full',
  ...over,
})

/** "Name: value" lines of one delivery-status block. */
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of block.split('\r\n')) {
    const i = line.indexOf(':')
    if (i > 0) out.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim())
  }
  return out
}

test('DSN: multipart/report; report-type=delivery-status with the three parts', () => {
  const raw = composeDsn(input())
  const tree = parseMimeTree(raw)
  const root = tree.root
  assert.equal(`${root.contentType.type}/${root.contentType.subtype}`, 'multipart/report')
  assert.equal(paramValue(root.contentType.params, 'report-type'), 'delivery-status')
  assert.equal(headerValue(root, 'from'), 'Mail Delivery System <MAILER-DAEMON@mx.a.test>')
  assert.equal(headerValue(root, 'to'), '<alice@a.test>')
  assert.equal(headerValue(root, 'auto-submitted'), 'auto-replied')
  assert.equal(headerValue(root, 'date'), 'Sat, 28 Nov 2026 05:10:00 +0000')
  const types = root.children.map((c) => `${c.contentType.type}/${c.contentType.subtype}`)
  assert.deepEqual(types, ['text/plain', 'message/delivery-status', 'message/rfc822'])
  const [human, status, returned] = root.children
  assert.ok(human && status && returned)
  assert.match(
    raw.subarray(human.bodyStart, human.bodyEnd).toString(),
    /<nobody@b\.test> \(host mx\.b\.test\): 550 5\.1\.1 no such user/,
  )
  const blocks = raw.subarray(status.bodyStart, status.bodyEnd).toString().split('\r\n\r\n')
  const perMessage = fields(blocks[0] ?? '')
  assert.equal(perMessage.get('reporting-mta'), 'dns; mx.a.test')
  assert.equal(perMessage.get('original-envelope-id'), 'ENV-42')
  assert.equal(perMessage.get('arrival-date'), 'Sat, 28 Nov 2026 05:00:00 +0000')
  const rcpt = fields(blocks[1] ?? '')
  assert.equal(rcpt.get('original-recipient'), 'rfc822;Nobody@b.test')
  assert.equal(rcpt.get('final-recipient'), 'rfc822; nobody@b.test')
  assert.equal(rcpt.get('action'), 'failed')
  assert.equal(rcpt.get('status'), '5.1.1')
  assert.equal(rcpt.get('remote-mta'), 'dns; mx.b.test')
  assert.equal(rcpt.get('diagnostic-code'), 'smtp; 550 5.1.1 no such user')
  assert.equal(rcpt.get('last-attempt-date'), 'Sat, 28 Nov 2026 05:09:00 +0000')
  assert.ok(returned.message)
  assert.equal(headerValue(returned.message, 'message-id'), '<orig-1@a.test>')
  assert.match(raw.subarray(returned.bodyStart, returned.bodyEnd).toString(), /the body line/)
})

test('DSN: RET=HDRS returns text/rfc822-headers without the body', () => {
  const raw = composeDsn(input({ returnContent: 'headers' }))
  const last = parseMimeTree(raw).root.children[2]
  assert.ok(last)
  assert.equal(`${last.contentType.type}/${last.contentType.subtype}`, 'text/rfc822-headers')
  const text = raw.subarray(last.bodyStart, last.bodyEnd).toString()
  assert.match(text, /Message-ID: <orig-1@a\.test>/)
  assert.doesNotMatch(raw.toString(), /the body line/)
  assert.equal(headerBlock(original).toString().endsWith('\r\n\r\n'), true)
})

test('DSN: delayed report with Will-Retry-Until; values cannot inject fields', () => {
  const body = deliveryStatusBody(
    input({
      envid: undefined as unknown as string,
      recipients: [
        {
          finalRecipient: 'x@b.test\r\nAction: delivered',
          action: 'delayed',
          status: '4.4.1',
          willRetryUntil: Date.UTC(2026, 11, 3),
        },
      ],
    }),
  )
  assert.doesNotMatch(body, /Original-Envelope-Id/)
  assert.match(body, /Will-Retry-Until: Thu, 03 Dec 2026 00:00:00 \+0000/)
  assert.equal(body.match(/^Action:/gm)?.length, 1)
  assert.equal(rfc5322Date(0), 'Thu, 01 Jan 1970 00:00:00 +0000')
})

test('DSN: the project bounce parser reads it back (recipient, status, original Message-ID)', () => {
  const parsed = parseBounce(composeDsn(input()))
  assert.ok(parsed)
  assert.equal(parsed.kind, 'dsn')
  assert.equal(parsed.originalMessageId, '<orig-1@a.test>')
  assert.equal(parsed.envelopeId, 'ENV-42')
  const r = parsed.recipients[0]
  assert.ok(r)
  assert.equal(r.recipient, 'nobody@b.test')
  assert.equal(r.status, '5.1.1')
  assert.equal(r.action, 'failed')
  assert.equal(r.hard, true)
})

const utf8Original = Buffer.from(
  'From: jürgen@a.test\r\nTo: 用户@例子.test\r\nSubject: Grüße\r\nMessage-ID: <orig-u@a.test>\r\n' +
    '\r\nthe body line\r\n',
)

const utf8Input = (over: Partial<DsnInput> = {}): DsnInput =>
  input({
    to: 'jürgen@a.test',
    recipients: [
      {
        finalRecipient: '用户@例子.test',
        action: 'failed',
        status: '5.1.1',
        remoteMta: 'mx.b.test',
        diagnostic: '550 5.1.1 用户不存在',
      },
    ],
    original: utf8Original,
    international: true,
    ...over,
  })

const typeOf = (p: { contentType: { type: string; subtype: string } }): string =>
  `${p.contentType.type}/${p.contentType.subtype}`

test('RFC 6533: global-delivery-status with utf-8 addresses and the original as message/global', () => {
  const raw = composeDsn(utf8Input())
  const root = parseMimeTree(raw).root
  assert.equal(typeOf(root), 'multipart/report')
  assert.equal(paramValue(root.contentType.params, 'report-type'), 'global-delivery-status')
  assert.equal(headerValue(root, 'to'), '<jürgen@a.test>')
  assert.deepEqual(root.children.map(typeOf), [
    'text/plain',
    'message/global-delivery-status',
    'message/global',
  ])
  const [human, status, returned] = root.children
  assert.ok(human && status && returned)
  assert.match(raw.subarray(human.bodyStart, human.bodyEnd).toString(), /<用户@例子\.test>/)
  const blocks = raw.subarray(status.bodyStart, status.bodyEnd).toString().split('\r\n\r\n')
  assert.equal(fields(blocks[0] ?? '').get('reporting-mta'), 'dns; mx.a.test')
  const rcpt = fields(blocks[1] ?? '')
  assert.equal(rcpt.get('final-recipient'), 'utf-8; 用户@例子.test') // RFC 6533 3
  assert.equal(rcpt.get('diagnostic-code'), 'smtp; 550 5.1.1 用户不存在')
  // The returned message is parsed as a nested message (RFC 6532 3.7), UTF-8 header intact.
  assert.ok(returned.message)
  assert.equal(headerValue(returned.message, 'message-id'), '<orig-u@a.test>')
  assert.equal(headerValue(returned.message, 'subject'), 'Grüße')
  for (const part of [status, returned])
    assert.equal(headerValue(part, 'content-transfer-encoding'), '8bit')
})

test('RFC 6533: RET=HDRS returns message/global-headers without the body', () => {
  const raw = composeDsn(utf8Input({ returnContent: 'headers' }))
  const last = parseMimeTree(raw).root.children[2]
  assert.ok(last)
  assert.equal(typeOf(last), 'message/global-headers')
  assert.match(raw.subarray(last.bodyStart, last.bodyEnd).toString(), /Subject: Grüße/)
  assert.doesNotMatch(raw.toString(), /the body line/)
})

test('RFC 6533 form without the flag: a UTF-8 address or header still asks for it', () => {
  const ascii = input()
  assert.equal(isInternationalDsn(ascii), false)
  assert.equal(isInternationalDsn({ ...ascii, to: 'jürgen@a.test' }), true)
  const rcpt = { ...ascii.recipients[0], finalRecipient: 'dörte@b.test' } as DsnRecipientReport
  assert.equal(isInternationalDsn({ ...ascii, recipients: [rcpt] }), true)
  assert.equal(isInternationalDsn({ ...ascii, original: utf8Original }), true)
  // A UTF-8 body under an ASCII header (8BITMIME) is no reason: message/rfc822 holds it.
  const body8 = Buffer.from('Subject: hi\r\n\r\nGrüße\r\n')
  assert.equal(isInternationalDsn({ ...ascii, original: body8 }), false)
  // ASCII mail keeps exactly the RFC 3464 form.
  assert.doesNotMatch(composeDsn(ascii).toString(), /global|utf-8;|Content-Transfer-Encoding/)
})

test('RFC 6533: the bounce parser reads the global form back (whole message and header only)', () => {
  for (const returnContent of ['full', 'headers'] as const) {
    const raw = composeDsn(utf8Input({ returnContent, envid: 'ENV-U' }))
    const parsed = parseBounce(raw)
    assert.ok(parsed)
    assert.equal(parsed.kind, 'dsn')
    assert.equal(parsed.envelopeId, 'ENV-U')
    assert.equal(parsed.originalMessageId, '<orig-u@a.test>', returnContent)
    const r = parsed.recipients[0]
    assert.ok(r)
    assert.equal(r.recipient, '用户@例子.test')
    assert.equal(r.status, '5.1.1')
    assert.equal(r.action, 'failed')
    assert.equal(r.hard, true)
  }
})
