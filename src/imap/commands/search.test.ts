import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ProtocolBad, ProtocolNo } from '../errors.ts'
import { parseOne } from '../parse-wire.ts'
import type { SearchArgs, SearchKey } from './search.ts'

function search(line: string): SearchArgs {
  const cmd = parseOne(line)
  assert.ok(cmd.name === 'search' || cmd.name === 'uid-search')
  return cmd.args
}

function key(text: string): SearchKey {
  return search(`a SEARCH ${text}`).criteria
}

const d = (year: number, month: number, day: number) => ({ year, month, day })

void describe('SEARCH keys (RFC 9051 6.4.4)', () => {
  const cases: [string, SearchKey][] = [
    ['ALL', { kind: 'all' }],
    ['answered', { kind: 'flag', flag: '\\Answered', isSet: true }],
    ['UNDELETED', { kind: 'flag', flag: '\\Deleted', isSet: false }],
    ['DRAFT', { kind: 'flag', flag: '\\Draft', isSet: true }],
    ['UNFLAGGED', { kind: 'flag', flag: '\\Flagged', isSet: false }],
    ['KEYWORD $Junk', { kind: 'flag', flag: '$Junk', isSet: true }],
    ['UNKEYWORD foo', { kind: 'flag', flag: 'foo', isSet: false }],
    [
      'NEW',
      {
        kind: 'and',
        keys: [
          { kind: 'recent', isSet: true },
          { kind: 'flag', flag: '\\Seen', isSet: false },
        ],
      },
    ],
    ['OLD', { kind: 'recent', isSet: false }],
    ['BCC "a b"', { kind: 'header', field: 'BCC', value: 'a b' }],
    ['from Smith', { kind: 'header', field: 'FROM', value: 'Smith' }],
    ['SUBJECT {3}\r\nh\u00e9', { kind: 'header', field: 'SUBJECT', value: 'h\u00e9' }],
    ['HEADER list-id ""', { kind: 'header', field: 'LIST-ID', value: '' }],
    ['BODY x', { kind: 'body', value: 'x' }],
    ['TEXT "string not in mailbox"', { kind: 'text', value: 'string not in mailbox' }],
    ['BEFORE 1-Feb-1994', { kind: 'date', field: 'internal', op: 'before', date: d(1994, 2, 1) }],
    ['SENTON "29-feb-2024"', { kind: 'date', field: 'sent', op: 'on', date: d(2024, 2, 29) }],
    ['LARGER 1000', { kind: 'size', op: 'larger', size: 1000 }],
    ['SMALLER 99999999999', { kind: 'size', op: 'smaller', size: 99999999999 }],
    ['UID 1:3', { kind: 'uid', set: { kind: 'ranges', ranges: [{ start: 1, end: 3 }] } }],
    ['$', { kind: 'sequence', set: { kind: 'saved' } }],
    [
      '2,4:*',
      {
        kind: 'sequence',
        set: {
          kind: 'ranges',
          ranges: [
            { start: 2, end: 2 },
            { start: 4, end: '*' },
          ],
        },
      },
    ],
    ['NOT SEEN', { kind: 'not', key: { kind: 'flag', flag: '\\Seen', isSet: true } }],
    [
      'OR SEEN (DELETED DRAFT)',
      {
        kind: 'or',
        left: { kind: 'flag', flag: '\\Seen', isSet: true },
        right: {
          kind: 'and',
          keys: [
            { kind: 'flag', flag: '\\Deleted', isSet: true },
            { kind: 'flag', flag: '\\Draft', isSet: true },
          ],
        },
      },
    ],
    ['(SEEN)', { kind: 'flag', flag: '\\Seen', isSet: true }],
    ['MODSEQ 620162338', { kind: 'modseq', modSeq: 620162338n }],
    [
      'MODSEQ "/flags/\\\\draft" all 620162338',
      { kind: 'modseq', modSeq: 620162338n, entry: { name: '/flags/\\draft', type: 'all' } },
    ],
    ['OLDER 3600', { kind: 'age', op: 'older', seconds: 3600 }],
    ['YOUNGER 60', { kind: 'age', op: 'younger', seconds: 60 }],
  ]
  for (const [text, expected] of cases) {
    void it(text.replace(/\r\n/g, '⏎'), () => {
      assert.deepEqual(key(text), expected)
    })
  }

  void it('several keys are ANDed; RFC 9051 example', () => {
    const args = search('A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"')
    assert.deepEqual(args.returnOptions, ['MIN', 'COUNT'])
    assert.equal(args.charset, 'UTF-8')
    assert.equal(args.criteria.kind === 'and' && args.criteria.keys.length, 3)
  })

  void it('RETURN () is RETURN (ALL) (RFC 4731 3.1); SAVE (RFC 5182)', () => {
    assert.deepEqual(search('a SEARCH RETURN () ALL').returnOptions, ['ALL'])
    assert.deepEqual(search('a UID SEARCH RETURN (SAVE) ALL').returnOptions, ['SAVE'])
    assert.equal(search('a SEARCH ALL').returnOptions, undefined)
  })

  void it('CHARSET: UTF-8 and US-ASCII, else NO [BADCHARSET]', () => {
    assert.equal(search('a SEARCH CHARSET us-ascii ALL').charset, 'US-ASCII')
    assert.equal(search('a SEARCH CHARSET "UTF-8" TEXT x').charset, 'UTF-8')
    assert.throws(() => search('a SEARCH CHARSET ISO-8859-1 ALL'), ProtocolNo)
  })

  void it('deep nesting is BAD, not a stack overflow', () => {
    assert.throws(() => key('NOT '.repeat(5000) + 'ALL'), ProtocolBad)
    assert.throws(() => key('('.repeat(5000) + 'ALL' + ')'.repeat(5000)), ProtocolBad)
  })

  const bad = [
    '',
    'BOGUS',
    'FROM',
    'BEFORE 31-Feb-2024',
    'BEFORE 1-Feb-94',
    'SINCE "1-Feb-2024',
    'LARGER x',
    'NOT',
    'OR SEEN',
    '()',
    'UID',
    'KEYWORD',
    'RETURN (BOGUS) ALL',
    'MODSEQ',
    'MODSEQ "x" bogus 1',
    'OLDER 0',
    'ALL  SEEN',
    'ALL ',
  ]
  for (const text of bad) {
    void it(`bad: ${text}`, () => {
      assert.throws(() => search(`a SEARCH ${text}`), ProtocolBad)
    })
  }
})
