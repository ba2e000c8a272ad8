// Table tests for the RFC 5256 3 SORT keys, the RFC 5256 2.2 sent date and RFC 5957 display keys.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseHeaderBlock } from './header-fields.ts'
import { parseDateTime, parseMessageIds, sortByCriteria, sortFacts } from './sort-keys.ts'
import type { SortCriterion, SortFacts } from './sort-keys.ts'

function facts(header: string, row = { internalDate: 0, size: 100 }): SortFacts {
  const raw = Buffer.from(header.replace(/\n/g, '\r\n') + '\r\n\r\n')
  return sortFacts(parseHeaderBlock(raw, 0, raw.length).fields, row)
}

void test('RFC 5322 dates normalised to UTC', () => {
  const cases: [string, string | undefined][] = [
    ['Mon, 7 Feb 1994 21:52:25 -0800', '1994-02-08T05:52:25.000Z'],
    ['7 Feb 1994 21:52 +0100', '1994-02-07T20:52:00.000Z'],
    ['Tue, 01 Jan 02 00:00:00 GMT', '2002-01-01T00:00:00.000Z'],
    ['Fri, 31 Dec 99 23:00:00 EST (comment)', '2000-01-01T04:00:00.000Z'],
    ['Sun, 1 Jan 2023 10:00:00 +0000 (UTC)', '2023-01-01T10:00:00.000Z'],
    ['garbage', undefined],
    ['1 Foo 2020 10:00:00 +0000', undefined],
    ['32 Jan 2020 10:00:00 +0000', undefined],
  ]
  for (const [input, iso] of cases) {
    const t = parseDateTime(input)
    assert.equal(t === undefined ? undefined : new Date(t).toISOString(), iso, input)
  }
})

void test('sort facts: addr-mailbox, display names, base subject, message ids', () => {
  const f = facts(
    [
      'From: "Zed Q" <Bob@Example.ORG>, carol@example.org',
      'To: undisclosed: ;',
      'Cc: =?UTF-8?Q?=C3=A9ric?= <eric@x>',
      'Subject: Re: [list] Hello',
      'Date: nonsense',
      'Message-ID: <a@b>',
      'References: <r1@x> (c) <r2@x>',
      'In-Reply-To: <r2@x>',
    ].join('\n'),
    { internalDate: 42, size: 7 },
  )
  assert.equal(f.from, 'BOB')
  assert.equal(f.to, 'UNDISCLOSED')
  assert.equal(f.cc, 'ERIC')
  assert.equal(f.displayFrom, 'ZED Q')
  assert.equal(f.subject, 'HELLO')
  assert.equal(f.isReplyOrForward, true)
  assert.equal(f.date, 42, 'RFC 5256 2.2: unparsable Date falls back to the internal date')
  assert.deepEqual([f.messageId, f.references, f.inReplyTo], ['a@b', ['r1@x', 'r2@x'], 'r2@x'])
  const g = facts('From: dave@example.org')
  assert.equal(g.displayFrom, 'DAVE@EXAMPLE.ORG', 'RFC 5957: addr-spec without a display name')
  assert.equal(g.to, '')
  assert.deepEqual(parseMessageIds('junk'), [])
})

void test('sortByCriteria: keys in turn, REVERSE, ties by sequence number', () => {
  const items = [
    facts('Subject: b\nFrom: x@y\nDate: 1 Jan 2020 00:00:00 +0000'),
    facts('Subject: Re: A\nFrom: w@y\nDate: 1 Jan 2020 00:00:00 +0000'),
    facts('Subject: a\nFrom: x@y\nDate: 2 Jan 2020 00:00:00 +0000'),
    facts('Subject: B\nFrom: X@y\nDate: 1 Jan 2020 00:00:00 -0100'),
  ].map((f, i) => ({ facts: f, seq: i + 1 }))
  const order = (criteria: SortCriterion[]): number[] =>
    sortByCriteria(items, criteria).map((x) => x.seq)
  assert.deepEqual(order([{ key: 'SUBJECT', isReverse: false }]), [2, 3, 1, 4])
  assert.deepEqual(order([{ key: 'SUBJECT', isReverse: true }]), [1, 4, 2, 3])
  assert.deepEqual(order([{ key: 'DATE', isReverse: false }]), [1, 2, 4, 3])
  assert.deepEqual(
    order([
      { key: 'FROM', isReverse: false },
      { key: 'DATE', isReverse: true },
    ]),
    [2, 3, 4, 1],
  )
  assert.deepEqual(order([{ key: 'SIZE', isReverse: true }]), [1, 2, 3, 4], 'all ties')
})
