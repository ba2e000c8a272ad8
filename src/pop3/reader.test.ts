import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Pop3Reader, type Pop3Input } from './reader.ts'

function drain(r: Pop3Reader): Pop3Input[] {
  const out: Pop3Input[] = []
  for (let i = r.next(); i !== undefined; i = r.next()) out.push(i)
  return out
}

test('splits pipelined lines and joins lines split across chunks', () => {
  const r = new Pop3Reader({ maxLineBytes: 100 })
  r.feed(Buffer.from('STAT\r\nLIST\r\nRE'))
  assert.deepEqual(drain(r), [
    { kind: 'line', line: 'STAT' },
    { kind: 'line', line: 'LIST' },
  ])
  r.feed(Buffer.from('TR 1\r'))
  assert.deepEqual(drain(r), [])
  r.feed(Buffer.from('\nNOOP\n'))
  assert.deepEqual(drain(r), [
    { kind: 'line', line: 'RETR 1' },
    { kind: 'line', line: 'NOOP' },
  ])
})

test('an over-long line is reported once, at its end, without being kept', () => {
  const r = new Pop3Reader({ maxLineBytes: 10 })
  r.feed(Buffer.from('USER aaaaaaaaaaaaa'))
  assert.deepEqual(drain(r), [])
  assert.equal(r.bufferedBytes, 0)
  r.feed(Buffer.from('aaaaaaaaaaaa\r\nNOOP\r\n'))
  assert.deepEqual(drain(r), [{ kind: 'line-too-long' }, { kind: 'line', line: 'NOOP' }])
  r.feed(Buffer.from('12345678901\r\n'))
  assert.deepEqual(drain(r), [{ kind: 'line-too-long' }])
  r.feed(Buffer.from('12345678\r\n'))
  assert.deepEqual(drain(r), [{ kind: 'line', line: '12345678' }])
})

test('decodes UTF-8, and invalid UTF-8 as latin1', () => {
  const r = new Pop3Reader({ maxLineBytes: 100 })
  r.feed(Buffer.concat([Buffer.from('USER jörg\r\nPASS '), Buffer.from([0xe9, 0x0d, 0x0a])]))
  assert.deepEqual(drain(r), [
    { kind: 'line', line: 'USER jörg' },
    { kind: 'line', line: 'PASS é' },
  ])
})
