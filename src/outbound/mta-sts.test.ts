import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  MAX_POLICY_AGE_SECONDS,
  PolicySyntaxError,
  mxMatchesPolicy,
  parsePolicy,
  parseStsRecord,
  pickStsRecordId,
} from './mta-sts.ts'

test('TXT record: v=STSv1 first, an id of 1-32 letters and digits', () => {
  assert.equal(parseStsRecord('v=STSv1; id=20160831085700Z;'), '20160831085700Z')
  assert.equal(parseStsRecord('v=STSv1;id=abc ; ext=1'), 'abc')
  assert.equal(parseStsRecord('v=STSv2; id=abc'), undefined)
  assert.equal(parseStsRecord('id=abc; v=STSv1'), undefined)
  assert.equal(parseStsRecord('v=STSv1; id=bad-id'), undefined)
  assert.equal(parseStsRecord('v=STSv1; id=' + 'a'.repeat(33)), undefined)
  assert.equal(parseStsRecord('v=STSv1'), undefined)
})

test('several STS TXT records mean no record; other TXT records are ignored', () => {
  assert.equal(pickStsRecordId([['v=spf1 -all'], ['v=STSv1; ', 'id=1']]), '1')
  assert.equal(pickStsRecordId([['v=STSv1; id=1'], ['v=STSv1; id=2']]), undefined)
  assert.equal(pickStsRecordId([]), undefined)
})

test('policy file: the RFC 8461 3.2 example, LF or CRLF, unknown keys ignored', () => {
  const text =
    'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n' +
    'mx: backupmx.example.com\r\nmax_age: 604800\r\nfuture: x\r\n'
  assert.deepEqual(parsePolicy(text), {
    mode: 'enforce',
    mx: ['mail.example.com', '*.example.net', 'backupmx.example.com'],
    maxAge: 604800,
  })
  assert.deepEqual(parsePolicy('version: STSv1\nmode: none\nmax_age: 10\n'), {
    mode: 'none',
    mx: [],
    maxAge: 10,
  })
  assert.equal(
    parsePolicy('version: STSv1\nmode: testing\nmx: a.example\nmax_age: 99999999999\n').maxAge,
    MAX_POLICY_AGE_SECONDS,
  )
})

test('invalid policies are refused', () => {
  const bad = [
    'mode: enforce\nmx: a.example\nmax_age: 1\n',
    'version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n',
    'version: STSv1\nmode: enforce\nmax_age: 1\n',
    'version: STSv1\nmode: enforce\nmx: a.example\n',
    'version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n',
    'version: STSv1\nmode: enforce\nmx: a.*.example\nmax_age: 1\n',
    '<html>not a policy</html>',
  ]
  for (const text of bad) assert.throws(() => parsePolicy(text), PolicySyntaxError, text)
})

test('MX matching: exact names and one-label wildcards', () => {
  const patterns = ['mail.example.com', '*.example.net']
  assert.equal(mxMatchesPolicy('mail.example.com', patterns), true)
  assert.equal(mxMatchesPolicy('MAIL.Example.com.', patterns), true)
  assert.equal(mxMatchesPolicy('mx1.example.net', patterns), true)
  assert.equal(mxMatchesPolicy('example.net', patterns), false)
  assert.equal(mxMatchesPolicy('a.b.example.net', patterns), false)
  assert.equal(mxMatchesPolicy('xexample.net', patterns), false)
  assert.equal(mxMatchesPolicy('other.example.com', patterns), false)
})
