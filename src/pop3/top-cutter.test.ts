import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TopCutter } from './top-cutter.ts'

const message = 'Subject: a\r\nFrom: b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n'

function cut(text: string, n: number, pieceBytes: number): string {
  const c = new TopCutter(n)
  let out = ''
  for (let i = 0; i < text.length && !c.isDone; i += pieceBytes) {
    out += c.push(Buffer.from(text.slice(i, i + pieceBytes))).toString()
  }
  return out
}

test('header, blank line and n body lines, whatever the chunking', () => {
  for (const size of [1, 2, 3, 7, 1000]) {
    assert.equal(cut(message, 0, size), 'Subject: a\r\nFrom: b\r\n\r\n', `size ${size}`)
    assert.equal(cut(message, 2, size), 'Subject: a\r\nFrom: b\r\n\r\nline 1\r\nline 2\r\n')
    assert.equal(cut(message, 10, size), message)
    assert.equal(cut('Subject: only\r\n', 1, size), 'Subject: only\r\n')
    assert.equal(cut('A: b\n\nx\ny\n', 1, size), 'A: b\n\nx\n')
  }
})
