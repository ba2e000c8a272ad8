import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ProtocolBad, ProtocolNo } from './errors.ts'
import { code } from './response.ts'

void describe('protocol errors', () => {
  void it('carry text, code and cause', () => {
    const cause = new Error('db')
    const no = new ProtocolNo(code.tryCreate, 'no such mailbox', { cause })
    assert.deepEqual(
      [no.name, no.message, no.code, no.cause],
      ['ProtocolNo', 'no such mailbox', 'TRYCREATE', cause],
    )
    const bad = new ProtocolBad('syntax', { code: code.clientBug })
    assert.deepEqual([bad.name, bad.message, bad.code], ['ProtocolBad', 'syntax', 'CLIENTBUG'])
    assert.equal(new ProtocolNo(code.uidNext(4), 'x').code instanceof Object, true)
  })
})
