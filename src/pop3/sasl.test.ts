import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeSaslResponse, parsePlainMessage } from './sasl.ts'
import { Pop3Error } from './codes.ts'

test('PLAIN message and base64 decoding', () => {
  const b64 = Buffer.from('\0alice@example.test\0pw d').toString('base64')
  assert.deepEqual(parsePlainMessage(decodeSaslResponse(b64, { isInitial: true })), {
    authzid: '',
    user: 'alice@example.test',
    password: 'pw d',
  })
  assert.equal(decodeSaslResponse('=', { isInitial: true }), '')
  assert.throws(() => decodeSaslResponse('=', { isInitial: false }), Pop3Error)
  assert.throws(() => decodeSaslResponse('not base64!', { isInitial: true }), Pop3Error)
  assert.throws(() => parsePlainMessage('no-nuls'), Pop3Error)
  assert.throws(() => parsePlainMessage('\0\0pw'), Pop3Error)
})
