import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseWire } from './parse-wire.ts'
import {
  atom,
  code,
  continuation,
  continuationBase64,
  encodeResponse,
  list,
  literal,
  literalStream,
  mailbox,
  nil,
  nstr,
  num,
  status,
  str,
  tagged,
  untagged,
  writeResponse,
} from './response.ts'
import type { ResponseLine, ResponseSink, Token } from './response.ts'

const enc = (line: ResponseLine): string => encodeResponse(line).toString('utf8')

/** A sink that accepts `capacity` writes before asking to wait, and records everything. */
function sink(capacity = Infinity): ResponseSink & { data: () => string; waits: number } {
  const bufs: Buffer[] = []
  let pending = 0
  const s = {
    waits: 0,
    write(buf: Buffer): boolean {
      bufs.push(Buffer.from(buf))
      pending++
      return pending < capacity
    },
    waitDrain(): Promise<void> {
      s.waits++
      pending = 0
      return Promise.resolve()
    },
    data: () => Buffer.concat(bufs).toString('latin1'),
  }
  return s
}

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) {
    await Promise.resolve()
    yield Buffer.from(p)
  }
}

void describe('str chooses quoted or literal (RFC 9051 4.3)', () => {
  const cases: [Token, string][] = [
    [str('hello'), '"hello"'],
    [str(''), '""'],
    [str('a"b\\c'), '"a\\"b\\\\c"'],
    [str('two\r\nlines'), '{10}\r\ntwo\r\nlines'],
    [str('héllo'), '{6}\r\nhéllo'],
    [str('héllo', { isUtf8: true }), '"héllo"'],
    [str('a\0b'), '~{3}\r\na\0b'],
    [str('x'.repeat(1025)), `{1025}\r\n${'x'.repeat(1025)}`],
    [str('"'.repeat(20)), `{20}\r\n${'"'.repeat(20)}`],
    [str(Buffer.from([0xff])), '{1}\r\n\xff'],
    [nstr(null), 'NIL'],
    [nil, 'NIL'],
    [num(2n ** 63n - 1n), '9223372036854775807'],
    [list([atom('\\Seen'), list([]), nstr('x')]), '(\\Seen () "x")'],
    [literal(Buffer.from('ab')), '{2}\r\nab'],
    [literal(Buffer.from('ab'), { isBinary: true }), '~{2}\r\nab'],
    [mailbox('日本語'), '"&ZeVnLIqe-"'],
    [mailbox('日本語', { isUtf8: true }), '"日本語"'],
  ]
  for (const [token, wire] of cases) {
    void it(JSON.stringify(wire), () => {
      const got = encodeResponse([token]).toString(
        Buffer.isBuffer((token as { value?: unknown }).value) ? 'latin1' : 'utf8',
      )
      assert.equal(got, `${wire}\r\n`)
    })
  }

  void it('str() output re-parses to the same value through the parser (astring rule)', () => {
    const value = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary-ascii', maxLength: 40 }),
      fc.string({ unit: 'grapheme-ascii', maxLength: 1100 }),
    )
    fc.assert(
      fc.property(value, fc.boolean(), (s, isUtf8) => {
        const wire = Buffer.concat([
          Buffer.from('a LOGIN '),
          encodeResponse([str(s, { isUtf8 }), atom('x')]),
        ])
        const [cmd] = parseWire(wire, { isUtf8Enabled: isUtf8 })
        assert.ok(cmd?.name === 'login')
        assert.equal(cmd.args.username, s)
      }),
      { numRuns: 500 },
    )
  })
})

void describe('response lines', () => {
  void it('tagged, untagged, codes, continuation (RFC 9051 7.1)', () => {
    assert.equal(
      enc(tagged('A1', 'OK', 'SELECT completed', code.readWrite)),
      'A1 OK [READ-WRITE] SELECT completed\r\n',
    )
    assert.equal(
      enc(status('*', 'OK', 'UIDs valid', code.uidValidity(3857529045))),
      '* OK [UIDVALIDITY 3857529045] UIDs valid\r\n',
    )
    assert.equal(enc(tagged('A2', 'NO', 'bad\r\nnews')), 'A2 NO bad news\r\n')
    assert.equal(enc(tagged('A3', 'BAD', '')), 'A3 BAD done\r\n')
    assert.equal(enc(untagged(num(172), atom('EXISTS'))), '* 172 EXISTS\r\n')
    assert.equal(enc(continuation()), '+ Ready\r\n')
    assert.equal(enc(continuationBase64(Buffer.from('hi'))), '+ aGk=\r\n')
    const codes: [Parameters<typeof tagged>[3], string][] = [
      [
        code.permanentFlags(['\\Deleted', '\\Seen', '\\*']),
        '[PERMANENTFLAGS (\\Deleted \\Seen \\*)]',
      ],
      [code.copyUid(38505, '304,319:320', '3956:3958'), '[COPYUID 38505 304,319:320 3956:3958]'],
      [code.appendUid(38505, '3955'), '[APPENDUID 38505 3955]'],
      [code.highestModSeq(715194045007n), '[HIGHESTMODSEQ 715194045007]'],
      [code.modified('7,9'), '[MODIFIED 7,9]'],
      [code.badCharset(['UTF-8']), '[BADCHARSET ("UTF-8")]'],
      [code.capability(['IMAP4rev2', 'IDLE']), '[CAPABILITY IMAP4rev2 IDLE]'],
      [code.uidNext(4392), '[UIDNEXT 4392]'],
      [code.tryCreate, '[TRYCREATE]'],
      [code.tooBig, '[TOOBIG]'],
      [code.closed, '[CLOSED]'],
    ]
    for (const [c, text] of codes)
      assert.equal(enc(tagged('t', 'NO', 'x', c)), `t NO ${text} x\r\n`)
  })

  void it('streams a literal with back-pressure', async () => {
    const s = sink(1)
    const line = untagged(
      num(1),
      atom('FETCH'),
      list([atom('BODY[]'), literalStream(6, chunks('abc', 'def')), atom('UID'), num(9)]),
    )
    await writeResponse(s, line)
    assert.equal(s.data(), '* 1 FETCH (BODY[] {6}\r\nabcdef UID 9)\r\n')
    assert.ok(s.waits >= 3)
    assert.throws(() => encodeResponse(line), Error)
  })

  void it('a stream that does not match its size throws', async () => {
    await assert.rejects(writeResponse(sink(), [literalStream(5, chunks('abc'))]))
    await assert.rejects(writeResponse(sink(), [literalStream(2, chunks('abc'))]))
  })

  void it('writeResponse and encodeResponse agree', async () => {
    const line = untagged(
      num(2),
      atom('FETCH'),
      list([
        atom('BODY[]'),
        literal(Buffer.from('x\r\ny')),
        atom('ENVELOPE'),
        list([nil, str('a\r\nb')]),
      ]),
    )
    const s = sink()
    await writeResponse(s, line)
    assert.equal(s.data(), encodeResponse(line).toString('latin1'))
  })
})
