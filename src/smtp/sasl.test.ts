import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SmtpReplyError } from './codes.ts'
import { decodeSaslResponse, parsePlainMessage, saslMechanism } from './sasl.ts'

function replyCode(fn: () => unknown): number | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    assert.ok(err instanceof SmtpReplyError, String(err))
    return err.code
  }
}

test('mechanism names: PLAIN and LOGIN in any case, others 504', () => {
  assert.equal(saslMechanism('plain'), 'PLAIN')
  assert.equal(saslMechanism('Login'), 'LOGIN')
  assert.equal(
    replyCode(() => saslMechanism('CRAM-MD5')),
    504,
  )
})

test('responses: strict base64, "=" empty only initially, "*" cancels', () => {
  assert.equal(decodeSaslResponse('YWxpY2U=', { isInitial: false }), 'alice')
  assert.equal(decodeSaslResponse('=', { isInitial: true }), '')
  assert.equal(decodeSaslResponse('', { isInitial: false }), '')
  for (const bad of ['=', 'YWxpY2U', 'YW=xpY2U=', 'a b c d', 'YWxp\u00e9']) {
    assert.equal(
      replyCode(() => decodeSaslResponse(bad, { isInitial: false })),
      501,
      bad,
    )
  }
  assert.equal(
    replyCode(() => decodeSaslResponse('*', { isInitial: true })),
    501,
  )
})

test('PLAIN: authzid NUL user NUL password (RFC 4616 2)', () => {
  assert.deepEqual(parsePlainMessage('\0alice@x.test\0pw'), {
    authzid: '',
    user: 'alice@x.test',
    password: 'pw',
  })
  assert.deepEqual(parsePlainMessage('a\0b\0c'), {
    authzid: 'a',
    user: 'b',
    password: 'c',
  })
  assert.equal(
    replyCode(() => parsePlainMessage('alice\0pw')),
    501,
  )
})

test('property: any base64 round-trips; any other text is a 501, never another error', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const text = Buffer.from(bytes).toString('utf8')
      const encoded = Buffer.from(text, 'utf8').toString('base64')
      assert.equal(decodeSaslResponse(encoded, { isInitial: false }), text)
    }),
  )
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), fc.boolean(), (text, isInitial) => {
      const code = replyCode(() => decodeSaslResponse(text, { isInitial }))
      assert.ok(code === undefined || code === 501)
    }),
  )
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (text) => {
      const code = replyCode(() => parsePlainMessage(text))
      assert.ok(code === undefined || code === 501)
    }),
  )
})
