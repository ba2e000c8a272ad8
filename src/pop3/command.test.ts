import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseCommand } from './command.ts'
import { Pop3Error } from './codes.ts'

test('parses every command, keywords case-insensitively', () => {
  assert.deepEqual(parseCommand('user alice@example.test'), {
    kind: 'user',
    name: 'alice@example.test',
  })
  assert.deepEqual(parseCommand('PASS two words '), { kind: 'pass', password: 'two words ' })
  assert.deepEqual(parseCommand('AUTH plain AGFAYg=='), {
    kind: 'auth',
    mechanism: 'PLAIN',
    initialResponse: 'AGFAYg==',
  })
  assert.deepEqual(parseCommand('AUTH'), {
    kind: 'auth',
    mechanism: undefined,
    initialResponse: undefined,
  })
  for (const k of ['capa', 'stls', 'utf8', 'stat', 'noop', 'rset', 'quit'] as const) {
    assert.deepEqual(parseCommand(k.toUpperCase()), { kind: k })
  }
  assert.deepEqual(parseCommand('LIST'), { kind: 'list', msg: undefined })
  assert.deepEqual(parseCommand('list 3'), { kind: 'list', msg: 3 })
  assert.deepEqual(parseCommand('UIDL 12'), { kind: 'uidl', msg: 12 })
  assert.deepEqual(parseCommand('RETR 1'), { kind: 'retr', msg: 1 })
  assert.deepEqual(parseCommand('DELE 2'), { kind: 'dele', msg: 2 })
  assert.deepEqual(parseCommand('TOP 1 0'), { kind: 'top', msg: 1, lines: 0 })
})

test('refuses unknown commands and bad arguments as bad commands', () => {
  for (const line of [
    'APOP a b',
    'XYZZY',
    '',
    'USER',
    'STAT 1',
    'RETR',
    'RETR x',
    'RETR -1',
    'RETR 1 2',
    'TOP 1',
    'LIST 1 2',
    'LIST  1',
    'DELE 1234567890',
    'constructor',
  ]) {
    assert.throws(
      () => parseCommand(line),
      (e: unknown) => e instanceof Pop3Error && e.isBadCommand,
      line,
    )
  }
})
