import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ProtocolBad } from '../errors.ts'
import { parseOne } from '../parse-wire.ts'
import { fetchItemName } from './fetch.ts'
import type { FetchArgs, FetchAttribute } from './fetch.ts'

function fetch(line: string): FetchArgs {
  const cmd = parseOne(line)
  assert.ok(cmd.name === 'fetch' || cmd.name === 'uid-fetch')
  return cmd.args
}

function attrs(items: string): FetchAttribute[] {
  return fetch(`a FETCH 1 ${items}`).attributes
}

void describe('FETCH attributes (RFC 9051 6.4.5)', () => {
  const cases: [string, FetchAttribute[], string[]][] = [
    [
      'ALL',
      [{ kind: 'flags' }, { kind: 'internal-date' }, { kind: 'rfc822-size' }, { kind: 'envelope' }],
      ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
    ],
    [
      'full',
      [
        { kind: 'flags' },
        { kind: 'internal-date' },
        { kind: 'rfc822-size' },
        { kind: 'envelope' },
        { kind: 'body' },
      ],
      ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
    ],
    [
      '(UID MODSEQ BODYSTRUCTURE)',
      [{ kind: 'uid' }, { kind: 'modseq' }, { kind: 'body-structure' }],
      ['UID', 'MODSEQ', 'BODYSTRUCTURE'],
    ],
    [
      '(RFC822 RFC822.HEADER RFC822.TEXT)',
      [{ kind: 'rfc822' }, { kind: 'rfc822-header' }, { kind: 'rfc822-text' }],
      ['RFC822', 'RFC822.HEADER', 'RFC822.TEXT'],
    ],
    ['BODY[]', [{ kind: 'body-section', section: { part: [] }, isPeek: false }], ['BODY[]']],
    [
      'body.peek[]<0.2048>',
      [
        {
          kind: 'body-section',
          section: { part: [] },
          partial: { offset: 0, length: 2048 },
          isPeek: true,
        },
      ],
      ['BODY[]<0>'],
    ],
    [
      'BODY[1.2.3]',
      [{ kind: 'body-section', section: { part: [1, 2, 3] }, isPeek: false }],
      ['BODY[1.2.3]'],
    ],
    [
      'BODY[TEXT]',
      [{ kind: 'body-section', section: { part: [], text: { kind: 'text' } }, isPeek: false }],
      ['BODY[TEXT]'],
    ],
    [
      'BODY[4.2.HEADER]<10.5>',
      [
        {
          kind: 'body-section',
          section: { part: [4, 2], text: { kind: 'header' } },
          partial: { offset: 10, length: 5 },
          isPeek: false,
        },
      ],
      ['BODY[4.2.HEADER]<10>'],
    ],
    [
      'BODY[3.MIME]',
      [{ kind: 'body-section', section: { part: [3], text: { kind: 'mime' } }, isPeek: false }],
      ['BODY[3.MIME]'],
    ],
    [
      '(BODY.PEEK[HEADER.FIELDS (date "From" x-y)])',
      [
        {
          kind: 'body-section',
          section: {
            part: [],
            text: { kind: 'header-fields', fields: ['DATE', 'FROM', 'X-Y'], isNot: false },
          },
          isPeek: true,
        },
      ],
      ['BODY[HEADER.FIELDS (DATE FROM X-Y)]'],
    ],
    [
      'BODY[1.HEADER.FIELDS.NOT (Subject)]',
      [
        {
          kind: 'body-section',
          section: { part: [1], text: { kind: 'header-fields', fields: ['SUBJECT'], isNot: true } },
          isPeek: false,
        },
      ],
      ['BODY[1.HEADER.FIELDS.NOT (SUBJECT)]'],
    ],
    [
      '(BINARY[1] BINARY.PEEK[]<5.10> BINARY.SIZE[2.1])',
      [
        { kind: 'binary', part: [1], isPeek: false },
        { kind: 'binary', part: [], partial: { offset: 5, length: 10 }, isPeek: true },
        { kind: 'binary-size', part: [2, 1] },
      ],
      ['BINARY[1]', 'BINARY[]<5>', 'BINARY.SIZE[2.1]'],
    ],
  ]
  for (const [items, expected, names] of cases) {
    void it(items, () => {
      const got = attrs(items)
      assert.deepEqual(got, expected)
      assert.deepEqual(got.map(fetchItemName), names)
    })
  }

  void it('CHANGEDSINCE and VANISHED modifiers (RFC 7162 3.1.4, 3.2.6)', () => {
    const a = fetch('a UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)')
    assert.deepEqual([a.changedSince, a.isVanished], [12345n, true])
    assert.throws(() => fetch('a FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)'), ProtocolBad)
    assert.throws(() => fetch('a UID FETCH 1:* (FLAGS) (VANISHED)'), ProtocolBad)
  })

  const bad = [
    'a FETCH 1',
    'a FETCH 1 ()',
    'a FETCH 1 BOGUS',
    'a FETCH 1 (FLAGS',
    'a FETCH 1 BODY[',
    'a FETCH 1 BODY[MIME]',
    'a FETCH 1 BODY[0]',
    'a FETCH 1 BODY[1.]',
    'a FETCH 1 BODY[HEADER.FIELDS ()]',
    'a FETCH 1 BODY[HEADER.FIELDS]',
    'a FETCH 1 BODY[]<0>',
    'a FETCH 1 BODY[]<0.0>',
    'a FETCH 1 BINARY[TEXT]',
    'a FETCH 1 BINARY.SIZE',
    'a FETCH 1 FLAGS (CHANGEDSINCE x)',
    'a FETCH 1 FLAGS (BOGUS)',
    'a FETCH 1 (FLAGS)(UID)',
  ]
  for (const line of bad) {
    void it(`bad: ${line}`, () => {
      assert.throws(() => fetch(line), ProtocolBad)
    })
  }
})
