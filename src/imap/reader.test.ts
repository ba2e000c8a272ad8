import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ImapReader } from './reader.ts'
import type { ImapInput, ImapReaderOptions } from './reader.ts'

const limits: ImapReaderOptions = {
  maxLineBytes: 200,
  maxLiteralBytes: 10_000,
  maxCommandBytes: 20_000,
  isLiteralPlus: true,
}

/** Feeds chunks and pulls every input; `onInput` may switch modes or refuse literals. */
function run(
  chunks: readonly (string | Buffer)[],
  opts: ImapReaderOptions = limits,
  onInput: (input: ImapInput, reader: ImapReader) => void = () => undefined,
): ImapInput[] {
  const reader = new ImapReader(opts)
  const out: ImapInput[] = []
  for (const chunk of chunks) {
    reader.feed(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, 'latin1'))
    for (let input = reader.next(); input !== undefined; input = reader.next()) {
      out.push(input)
      onInput(input, reader)
    }
  }
  return out
}

/** A compact view: commands as their parts, with literals as <text>. */
function view(inputs: readonly ImapInput[]): string[] {
  return inputs.map((i) => {
    if (i.kind !== 'command') return `${i.kind}${'tag' in i && i.tag ? ` ${i.tag}` : ''}`
    return i.command.parts
      .map(
        (p) =>
          p.text +
          (p.literal
            ? `<${p.literal.isBinary ? '~' : ''}${p.literal.data.toString('latin1')}>`
            : ''),
      )
      .join('')
  })
}

function splitAt(buf: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let prev = 0
  for (const p of points) {
    out.push(buf.subarray(prev, p))
    prev = p
  }
  out.push(buf.subarray(prev))
  return out
}

void describe('ImapReader commands and literals', () => {
  void it('returns pipelined lines as commands, CRLF or bare LF, skipping blank lines', () => {
    const inputs = run(['a1 NOOP\r\n\r\na2 CAPA', 'BILITY\na3 LOGOUT\r\n'])
    assert.deepEqual(view(inputs), ['a1 NOOP', 'a2 CAPABILITY', 'a3 LOGOUT'])
    assert.equal(inputs[0]?.kind === 'command' && inputs[0].command.tag, 'a1')
  })

  void it('asks for a continuation before reading a synchronising literal (RFC 9051 7.5)', () => {
    const reader = new ImapReader(limits)
    reader.feed(Buffer.from('A001 LOGIN {11}\r\n'))
    assert.deepEqual(reader.next(), {
      kind: 'continuation-needed',
      tag: 'A001',
      size: 11,
      isBinary: false,
    })
    assert.equal(reader.next(), undefined)
    reader.feed(Buffer.from('FRED FOOBAR {7}\r\n'))
    assert.equal(reader.next()?.kind, 'continuation-needed')
    reader.feed(Buffer.from('fat man\r\n'))
    const input = reader.next()
    assert.deepEqual(view(input ? [input] : []), ['A001 LOGIN <FRED FOOBAR> <fat man>'])
    if (input?.kind === 'command') assert.equal(input.command.bytes, 17 + 11 + 6 + 7 + 2)
  })

  void it('reads non-synchronising literals without asking (RFC 7888 example)', () => {
    const inputs = run(['A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n'])
    assert.deepEqual(view(inputs), ['A001 LOGIN <FRED FOOBAR> <fat man>'])
  })

  void it('reads literal8 (RFC 3516) with NUL and CRLF inside, and empty literals', () => {
    const inputs = run(['a APPEND x ~{5+}\r\n\0\r\nab\r\nb LOGIN {0+}\r\n {0+}\r\n\r\n'])
    assert.deepEqual(view(inputs), ['a APPEND x <~\0\r\nab>', 'b LOGIN <> <>'])
  })

  void it('refuseLiteral drops the command; the next line is a new command', () => {
    const inputs = run(['a APPEND x {500}\r\n', 'b NOOP\r\n'], limits, (input, reader) => {
      if (input.kind === 'continuation-needed') reader.refuseLiteral()
    })
    assert.deepEqual(view(inputs), ['continuation-needed a', 'b NOOP'])
  })

  void it('refuses an over-large synchronising literal before reading it', () => {
    const inputs = run(['a APPEND x {10001}\r\nb NOOP\r\n'])
    assert.deepEqual(inputs[0], {
      kind: 'literal-too-large',
      tag: 'a',
      size: 10001,
      isSynchronizing: true,
    })
    assert.deepEqual(view(inputs.slice(1)), ['b NOOP'])
  })

  void it('reports an over-large non-synchronising literal at once and skips its octets', () => {
    const big = 'x'.repeat(10001)
    const inputs = run([
      `a APPEND x {10001+}\r\n${big.slice(0, 50)}`,
      `${big.slice(50)} {2+}\r\nzz\r\nb NOOP\r\n`,
    ])
    assert.deepEqual(view(inputs), ['literal-too-large a', 'b NOOP'])
  })

  void it('LITERAL-: a non-synchronising literal over 4096 octets is refused (RFC 7888 4)', () => {
    const opts = { ...limits, isLiteralPlus: false }
    const body = 'y'.repeat(4097)
    const inputs = run(
      [`a APPEND x {4097+}\r\n${body}\r\nb LOGIN {4096+}\r\n${'z'.repeat(4096)}\r\n`],
      opts,
    )
    assert.equal(inputs[0]?.kind, 'literal-too-large')
    assert.equal(inputs[1]?.kind, 'command')
    // Synchronising literals over 4096 are still fine with LITERAL-.
    assert.equal(run([`c APPEND x {5000}\r\n`], opts)[0]?.kind, 'continuation-needed')
  })

  void it('line too long: reported with the tag once the line ends, then recovers', () => {
    const long = `t1 NOOP ${'a'.repeat(300)}\r\n`
    const inputs = run([long.slice(0, 150), long.slice(150), 'b NOOP\r\n'])
    assert.deepEqual(view(inputs), ['line-too-long t1', 'b NOOP'])
    // Within one chunk, too.
    assert.deepEqual(view(run([long + 'c NOOP\r\n'])), ['line-too-long t1', 'c NOOP'])
  })

  void it('an over-long line ending in a non-sync literal skips the literal too', () => {
    const long = `t1 APPEND ${'a'.repeat(300)} {3+}\r\nabc\r\nb NOOP\r\n`
    assert.deepEqual(view(run([long])), ['line-too-long t1', 'b NOOP'])
  })

  void it('command too large: total of lines and literals', () => {
    const opts = { ...limits, maxCommandBytes: 100 }
    const inputs = run(
      ['a LOGIN {60+}\r\n' + 'p'.repeat(60) + ' {60+}\r\n' + 'q'.repeat(60) + '\r\nb NOOP\r\n'],
      opts,
    )
    assert.deepEqual(view(inputs), ['command-too-large a', 'b NOOP'])
  })

  void it('raw lines for IDLE DONE and SASL, then back to commands', () => {
    const inputs = run(['a IDLE\r\nDONE\r\nb NOOP\r\n'], limits, (input, reader) => {
      if (input.kind === 'command' && input.command.tag === 'a') reader.expectRawLine()
    })
    assert.deepEqual(inputs.slice(1, 2), [{ kind: 'raw-line', line: 'DONE' }])
    assert.deepEqual(view(inputs.slice(2)), ['b NOOP'])
  })

  void it('an over-long raw line is reported and the next line is a command again', () => {
    const inputs = run(
      ['a AUTHENTICATE PLAIN\r\n', 'x'.repeat(300), '\r\nb NOOP\r\n'],
      limits,
      (input, reader) => {
        if (input.kind === 'command' && input.command.tag === 'a') reader.expectRawLine()
      },
    )
    assert.deepEqual(view(inputs), ['a AUTHENTICATE PLAIN', 'line-too-long', 'b NOOP'])
  })

  void it('flags invalid UTF-8 lines and keeps valid UTF-8 text', () => {
    const inputs = run([
      Buffer.from('a SELECT "\xe9"\r\n', 'latin1'),
      Buffer.from('b SELECT "é"\r\n', 'utf8'),
    ])
    const [a, b] = inputs
    assert.ok(a?.kind === 'command' && a.command.hasInvalidUtf8)
    assert.ok(b?.kind === 'command' && !b.command.hasInvalidUtf8)
  })

  void it('gives the same commands however the bytes are split', () => {
    const wire = Buffer.from(
      'a1 LOGIN {5+}\r\nalice {6}\r\nsecret\r\na2 APPEND INBOX ~{4}\r\n\0\r\n\0\r\n' +
        'a3 FETCH 1 (BODY[])\r\nverylong ' +
        'z'.repeat(250) +
        ' {2+}\r\nzz\r\na4 NOOP\r\n',
      'latin1',
    )
    const expected = view(run([wire]))
    assert.deepEqual(expected, [
      'continuation-needed a1',
      'a1 LOGIN <alice> <secret>',
      'continuation-needed a2',
      'a2 APPEND INBOX <~\0\r\n\0>',
      'a3 FETCH 1 (BODY[])',
      'line-too-long verylong',
      'a4 NOOP',
    ])
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        assert.deepEqual(view(run(splitAt(wire, cuts))), expected)
      }),
    )
  })

  void it('byte-at-a-time feeding works', () => {
    const wire = Buffer.from('x LOGIN {3+}\r\nabc "d"\r\n')
    const chunks = [...wire].map((b) => Buffer.from([b]))
    assert.deepEqual(view(run(chunks)), ['x LOGIN <abc> "d"'])
  })

  void it('never holds more than the limits for arbitrary input', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 10 }), (chunks) => {
        const reader = new ImapReader({ ...limits, maxLineBytes: 100, maxLiteralBytes: 300 })
        for (const c of chunks) {
          reader.feed(Buffer.from(c))
          for (let i = reader.next(); i !== undefined; i = reader.next()) {
            if (i.kind === 'command') assert.ok(i.command.bytes <= limits.maxCommandBytes)
          }
          assert.ok(reader.bufferedBytes <= 100 + 400 + 300)
        }
      }),
    )
  })
})
