// Table tests for the RFC 5256 2.1 base subject.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { baseSubject, subjectKey } from './base-subject.ts'

void test('RFC 5256 2.1 base subject extraction', () => {
  const cases: [string, string, boolean][] = [
    ['Hello', 'Hello', false],
    ['Re: Hello', 'Hello', true],
    ['RE:Hello', 'Hello', true],
    ['re: re: Fwd: Hello', 'Hello', true],
    ['Fw: Hello', 'Hello', true],
    ['Re [2]: Hello', 'Hello', true],
    ['[list] Re: Hello', 'Hello', true],
    ['[list] [other] Hello', 'Hello', false],
    ['Re: [list] Hello', 'Hello', true],
    ['[list]', '[list]', false], // step 4: a blob stays when nothing would remain
    ['Re: [list]', '[list]', true],
    ['Hello (fwd)', 'Hello', true],
    ['Hello (FWD) (fwd)  ', 'Hello', true],
    ['[Fwd: Re: Hello]', 'Hello', true],
    ['[fwd: [fwd: Hello (fwd)]]', 'Hello', true],
    ['  Hello\t\r\n  world  ', 'Hello world', false],
    ['=?UTF-8?Q?Re=3A_Gr=C3=BC=C3=9Fe?=', 'Grüße', true],
    ['Re: =?ISO-8859-1?Q?caf=E9?=', 'café', true],
    ['Reply', 'Reply', false],
    ['Re', 'Re', false],
    ['', '', false],
    ['Re:', '', true],
  ]
  for (const [input, base, isReplyOrForward] of cases) {
    assert.deepEqual(baseSubject(input), { base, isReplyOrForward }, JSON.stringify(input))
  }
})

void test('subject keys compare under i;ascii-casemap', () => {
  assert.equal(subjectKey('re: hello World'), 'HELLO WORLD')
  assert.equal(subjectKey('Grüße'), 'GRüßE')
})
