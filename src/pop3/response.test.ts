import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { DotStuffer, formatErr, formatMultiline, formatOk, wireBytes } from './response.ts'
import { RespInUse } from './codes.ts'

test('single-line responses carry the response code and never several lines', () => {
  assert.equal(formatOk('2 320'), '+OK 2 320\r\n')
  assert.equal(formatOk(''), '+OK\r\n')
  assert.equal(formatErr(RespInUse, 'locked'), '-ERR [IN-USE] locked\r\n')
  assert.equal(formatErr(undefined, 'a\r\n+OK b'), '-ERR a +OK b\r\n')
})

test('multi-line responses stuff dots and end with a dot line', () => {
  assert.equal(formatMultiline('list', ['1 10', '.x']), '+OK list\r\n1 10\r\n..x\r\n.\r\n')
})

/** What a client does: split at CRLF, stop at ".", drop one leading dot. */
function unstuff(wire: Buffer): Buffer {
  const text = wire.toString('latin1')
  assert.ok(text.endsWith('\r\n.\r\n') || text === '.\r\n', 'ends with the terminator')
  const lines = text.slice(0, -3).split('\r\n')
  lines.pop()
  const out = lines.map((l) => (l.startsWith('.') ? l.slice(1) : l))
  return Buffer.from(out.length === 0 ? '' : `${out.join('\r\n')}\r\n`, 'latin1')
}

test('DotStuffer: any split of a CRLF message round-trips byte-exact', () => {
  const line = fc.stringMatching(/^[.a-z]{0,6}$/)
  fc.assert(
    fc.property(fc.array(line, { maxLength: 8 }), fc.array(fc.nat(40)), (lines, cuts) => {
      const message = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1')
      const stuffer = new DotStuffer()
      const points = [...new Set(cuts.map((c) => Math.min(c, message.length)))].sort(
        (a, b) => a - b,
      )
      const out: Buffer[] = []
      let from = 0
      for (const p of [...points, message.length]) {
        out.push(wireBytes(stuffer.push(message.subarray(from, p))))
        from = p
      }
      out.push(stuffer.end())
      assert.deepEqual(unstuff(Buffer.concat(out)), message)
    }),
  )
})

test('DotStuffer adds a CRLF before the terminator when the message lacks one', () => {
  const s = new DotStuffer()
  assert.equal(
    Buffer.concat([wireBytes(s.push(Buffer.from('.a\r\n.b'))), s.end()]).toString(),
    '..a\r\n..b\r\n.\r\n',
  )
})

/** The reference: a dot after the start or after any LF gets another dot. */
function stuffReference(message: Buffer): Buffer {
  const out: number[] = []
  message.forEach((byte, i) => {
    if (byte === 0x2e && (i === 0 || message[i - 1] === 0x0a)) out.push(0x2e)
    out.push(byte)
  })
  return Buffer.from(out)
}

test('DotStuffer: any bytes, any split, equal the byte-wise reference (bare LF too)', () => {
  const bytes = fc.array(fc.constantFrom(0x2e, 0x0d, 0x0a, 0x61, 0xff), { maxLength: 60 })
  fc.assert(
    fc.property(bytes, fc.array(fc.nat(60)), (data, cuts) => {
      const message = Buffer.from(data)
      const stuffer = new DotStuffer()
      const points = [...new Set(cuts.map((c) => Math.min(c, message.length)))].sort(
        (a, b) => a - b,
      )
      const out: Buffer[] = []
      let from = 0
      for (const p of [...points, message.length]) {
        out.push(wireBytes(stuffer.push(message.subarray(from, p))))
        from = p
      }
      assert.deepEqual(Buffer.concat(out), stuffReference(message))
    }),
  )
})

test('DotStuffer returns a chunk without dot lines as is, uncopied', () => {
  const chunk = Buffer.from('a\r\nb.c\r\n')
  assert.equal(new DotStuffer().push(chunk), chunk)
})
