import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ProtocolBad } from '../errors.ts'
import { parseOne } from '../parse-wire.ts'
import { decodeSaslLine } from './authenticate.ts'

void describe('AUTHENTICATE (RFC 9051 6.2.2, RFC 4959 SASL-IR)', () => {
  void it('mechanism and initial response', () => {
    const cmd = parseOne('a authenticate plain dGVzdAB0ZXN0AHRlc3Q=')
    assert.ok(cmd.name === 'authenticate')
    assert.equal(cmd.args.mechanism, 'PLAIN')
    assert.equal(cmd.args.initialResponse?.toString(), 'test\0test\0test')
  })

  void it('SASL lines: base64, "=" empty, "*" cancels, bad base64 is BAD', () => {
    assert.equal(decodeSaslLine('dXNlcg==').toString(), 'user')
    assert.deepEqual(decodeSaslLine('='), Buffer.alloc(0))
    assert.deepEqual(decodeSaslLine(''), Buffer.alloc(0))
    assert.equal(decodeSaslLine('*'), 'cancel')
    for (const bad of ['abc', 'a===', 'dXNl cg==', '!!!!']) {
      assert.throws(() => decodeSaslLine(bad), ProtocolBad, bad)
    }
  })
})
