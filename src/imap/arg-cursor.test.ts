import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ArgCursor } from './arg-cursor.ts'
import { ProtocolBad } from './errors.ts'

const ctx = { isUtf8Enabled: false }
const cur = (text: string, literal?: string) =>
  new ArgCursor(
    literal === undefined
      ? [{ text }]
      : [{ text, literal: { data: Buffer.from(literal), isBinary: false } }, { text: '' }],
    ctx,
  )

void describe('ArgCursor grammar rules (RFC 9051 9)', () => {
  void it('atom, astring, quoted, literal, nstring', () => {
    assert.equal(cur('abc]').atom(), 'abc')
    assert.equal(cur('abc]').astring(), 'abc]')
    assert.equal(cur('"a\\"b"').astring(), 'a"b')
    assert.equal(cur('', 'lit').astring(), 'lit')
    assert.equal(cur('NIL').nstring(), null)
    assert.equal(cur('"NIL"').nstring(), 'NIL')
    assert.throws(() => cur('(').atom(), ProtocolBad)
    assert.throws(() => cur('"a\\b"').astring(), ProtocolBad)
  })

  void it('numbers: 32-bit number, nz-number, 63-bit number64', () => {
    assert.equal(cur('4294967295').number(), 4294967295)
    assert.throws(() => cur('4294967296').number(), ProtocolBad)
    assert.throws(() => cur('0').nzNumber(), ProtocolBad)
    assert.equal(cur('9223372036854775807').number64(), 9223372036854775807n)
    assert.throws(() => cur('9223372036854775808').number64(), ProtocolBad)
  })

  void it('flags get canonical system-flag case', () => {
    assert.deepEqual(cur('(\\SEEN \\answered $Forwarded \\X-Ext)').flagList(), [
      '\\Seen',
      '\\Answered',
      '$Forwarded',
      '\\X-Ext',
    ])
    assert.deepEqual(cur('()').flagList(), [])
    assert.throws(() => cur('(\\)').flagList(), ProtocolBad)
  })

  void it('date and date-time (RFC 9051 9)', () => {
    assert.deepEqual(cur('1-Feb-1994').date(), { year: 1994, month: 2, day: 1 })
    assert.deepEqual(cur('"01-feb-1994"').date(), { year: 1994, month: 2, day: 1 })
    assert.throws(() => cur('30-Feb-1994').date(), ProtocolBad)
    assert.equal(
      cur('"17-Jul-1996 02:44:25 -0700"').dateTime().toISOString(),
      '1996-07-17T09:44:25.000Z',
    )
    assert.equal(
      cur('" 7-Jul-1996 02:44:25 +0000"').dateTime().toISOString(),
      '1996-07-07T02:44:25.000Z',
    )
    assert.throws(() => cur('"17-Jul-1996 02:44:25"').dateTime(), ProtocolBad)
    assert.throws(() => cur('"17-Jul-1996 02:44:25 +2400"').dateTime(), ProtocolBad)
  })

  void it('expectEnd sees leftover text and unread literals', () => {
    assert.throws(() => {
      cur('x').expectEnd()
    }, ProtocolBad)
    assert.throws(() => {
      cur('', 'lit').expectEnd()
    }, ProtocolBad)
    cur('').expectEnd()
  })
})
