import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ProtocolBad } from './errors.ts'
import {
  formatSequenceSet,
  isInSequenceSet,
  iterateSequenceSet,
  parseSequenceSet,
  resolveSequenceSet,
  sequenceSetToString,
} from './sequence-set.ts'

void describe('sequence sets (RFC 9051 9, RFC 5182)', () => {
  void it('parses ranges, *, and $', () => {
    assert.deepEqual(parseSequenceSet('2,4:7,9,12:*'), {
      kind: 'ranges',
      ranges: [
        { start: 2, end: 2 },
        { start: 4, end: 7 },
        { start: 9, end: 9 },
        { start: 12, end: '*' },
      ],
    })
    assert.deepEqual(parseSequenceSet('$'), { kind: 'saved' })
    assert.equal(sequenceSetToString(parseSequenceSet('*:4,5')), '*:4,5')
  })

  for (const bad of [
    '',
    ',',
    '1,',
    '0',
    '01',
    '1:',
    ':1',
    '1::2',
    '4294967296',
    '1:$',
    '$,1',
    'a',
    '-1',
  ]) {
    void it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseSequenceSet(bad), ProtocolBad)
    })
  }

  void it('resolves against the mailbox: * is max, n:m = m:n, clipped, merged', () => {
    const r = (s: string, max: number) => resolveSequenceSet(parseSequenceSet(s), { max })
    assert.deepEqual(r('2,4:7,9,12:*', 15), [
      [2, 2],
      [4, 7],
      [9, 9],
      [12, 15],
    ])
    assert.deepEqual(r('*:4,5,3', 10), [[3, 10]])
    assert.deepEqual(r('5:*', 3), [[3, 3]]) // RFC 9051 6.4.9: "UID n:*" includes the last
    assert.deepEqual(r('20', 3), [])
    assert.deepEqual(r('1:*', 0), [])
    assert.deepEqual(resolveSequenceSet({ kind: 'saved' }, { max: 9, saved: [5, 1, 2] }), [
      [1, 2],
      [5, 5],
    ])
    assert.deepEqual(resolveSequenceSet({ kind: 'saved' }, { max: 9 }), [])
  })

  void it('membership and iteration', () => {
    const set = parseSequenceSet('1,3:4,*')
    assert.deepEqual([...iterateSequenceSet(set, { max: 6 })], [1, 3, 4, 6])
    assert.ok(isInSequenceSet(set, 6, { max: 6 }))
    assert.ok(!isInSequenceSet(set, 5, { max: 6 }))
  })

  void it('formats numbers compactly (COPYUID, VANISHED)', () => {
    assert.equal(formatSequenceSet([5, 1, 2, 3, 9, 3]), '1:3,5,9')
    assert.equal(formatSequenceSet([]), '')
    assert.equal(formatSequenceSet([7, 8, 3, 4], true), '7:8,3:4')
  })

  void it('format, parse and iterate round-trip', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 300 }), { minLength: 1 }), (nums) => {
        const set = parseSequenceSet(formatSequenceSet(nums))
        assert.deepEqual(
          [...iterateSequenceSet(set, { max: 300 })],
          [...nums].sort((a, b) => a - b),
        )
      }),
    )
  })
})
