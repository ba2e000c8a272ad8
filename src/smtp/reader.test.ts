import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { SmtpReader } from './reader.ts'
import type { SmtpInput, SmtpReaderOptions } from './reader.ts'

const limits: SmtpReaderOptions = { maxLineBytes: 512, maxMessageBytes: 1_000_000 }

/** Feeds every chunk, pulling inputs after each; calls onInput so tests can switch modes. */
function run(
  reader: SmtpReader,
  chunks: readonly Buffer[],
  onInput: (input: SmtpInput) => void = () => undefined,
): SmtpInput[] {
  const out: SmtpInput[] = []
  for (const chunk of chunks) {
    reader.feed(chunk)
    for (let input = reader.next(); input !== undefined; input = reader.next()) {
      out.push(input)
      onInput(input)
    }
  }
  return out
}

/** Reads a DATA body from the given wire bytes, split into the given chunks. */
function readData(chunks: readonly Buffer[], opts: SmtpReaderOptions = limits): SmtpInput[] {
  const reader = new SmtpReader(opts)
  reader.startData()
  return run(reader, chunks)
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

/** Reference dot-stuffing (RFC 5321 4.5.2) of a body that ends in CRLF, with terminator. */
function dotStuff(body: Buffer): Buffer {
  const s = body.toString('latin1')
  const stuffed = (s.startsWith('.') ? '.' : '') + s.replaceAll('\r\n.', '\r\n..')
  return Buffer.from(`${stuffed}.\r\n`, 'latin1')
}

void describe('SmtpReader line mode', () => {
  void it('returns command lines without CRLF, pipelined or split', () => {
    const reader = new SmtpReader(limits)
    const inputs = run(reader, [Buffer.from('EHLO a\r\nMAIL FROM:<a@b>\r'), Buffer.from('\nNO')])
    assert.deepEqual(inputs, [
      { kind: 'line', line: 'EHLO a' },
      { kind: 'line', line: 'MAIL FROM:<a@b>' },
    ])
    assert.equal(reader.bufferedBytes, 2)
  })

  void it('tolerates a bare LF ending a command and keeps a bare CR inside it', () => {
    const inputs = run(new SmtpReader(limits), [Buffer.from('NOOP\nNO\rOP\r\n')])
    assert.deepEqual(inputs, [
      { kind: 'line', line: 'NOOP' },
      { kind: 'line', line: 'NO\rOP' },
    ])
  })

  void it('decodes UTF-8 and falls back to latin1', () => {
    const inputs = run(new SmtpReader(limits), [
      Buffer.from('RCPT TO:<usér@x>\r\n'),
      Buffer.from([0x41, 0xe9, 0x0d, 0x0a]),
    ])
    assert.deepEqual(inputs, [
      { kind: 'line', line: 'RCPT TO:<usér@x>' },
      { kind: 'line', line: 'Aé' },
    ])
  })

  void it('reports an over-long line once, after skipping to its LF, and stays in sync', () => {
    const reader = new SmtpReader({ maxLineBytes: 10, maxMessageBytes: 100 })
    const inputs = run(reader, [
      Buffer.from('x'.repeat(8)),
      Buffer.from('y'.repeat(50)),
      Buffer.from('z'.repeat(50)),
      Buffer.from('\r\nQUIT\r\n'),
    ])
    assert.deepEqual(inputs, [{ kind: 'line-too-long' }, { kind: 'line', line: 'QUIT' }])
    assert.ok(reader.bufferedBytes <= 10)
  })

  void it('counts CRLF in the line limit (RFC 5321 4.5.3.1.4)', () => {
    const reader = new SmtpReader({ maxLineBytes: 6, maxMessageBytes: 100 })
    const inputs = run(reader, [Buffer.from('NOOP\r\nNOOPS\r\nQUIT\r\n')])
    assert.deepEqual(inputs, [
      { kind: 'line', line: 'NOOP' },
      { kind: 'line-too-long' },
      { kind: 'line', line: 'QUIT' },
    ])
  })
})

void describe('SmtpReader DATA mode', () => {
  void it('an immediate terminator is an empty message', () => {
    assert.deepEqual(readData([Buffer.from('.\r\n')]), [
      { kind: 'data', body: Buffer.alloc(0), bareLineEnds: false },
    ])
  })

  void it('keeps CRLF, removes the terminator and unstuffs dots (RFC 5321 4.5.2)', () => {
    const wire = 'Subject: x\r\n\r\n..leading dot\r\n\r\n..\r\nend\r\n.\r\n'
    assert.deepEqual(readData([Buffer.from(wire)]), [
      {
        kind: 'data',
        body: Buffer.from('Subject: x\r\n\r\n.leading dot\r\n\r\n.\r\nend\r\n'),
        bareLineEnds: false,
      },
    ])
  })

  void it('a dot-stuffed first line is unstuffed (data starts as if after CRLF)', () => {
    const [input] = readData([Buffer.from('..x\r\n.\r\n')])
    assert.deepEqual(input, { kind: 'data', body: Buffer.from('.x\r\n'), bareLineEnds: false })
  })

  void it('returns to line mode with pipelined commands after the terminator', () => {
    const reader = new SmtpReader(limits)
    reader.startData()
    const inputs = run(reader, [Buffer.from('hi\r\n.\r\nQUIT\r\n')])
    assert.deepEqual(inputs, [
      { kind: 'data', body: Buffer.from('hi\r\n'), bareLineEnds: false },
      { kind: 'line', line: 'QUIT' },
    ])
    assert.equal(reader.mode, 'line')
  })

  void it('handles the terminator split across five chunks', () => {
    const chunks = ['a\r', '\n', '.', '\r', '\n'].map((s) => Buffer.from(s))
    assert.deepEqual(readData(chunks), [
      { kind: 'data', body: Buffer.from('a\r\n'), bareLineEnds: false },
    ])
  })

  void it('reports bare CR and bare LF without treating them as line ends', () => {
    for (const wire of ['a\nb', 'a\rb', 'a\r', 'a\r\n\r']) {
      const reader = new SmtpReader(limits)
      reader.startData()
      const inputs = run(reader, [...splitAt(Buffer.from(wire), [2]), Buffer.from('\r\n.\r\n')])
      assert.equal(inputs.length, 1)
      assert.deepEqual(inputs[0], {
        kind: 'data',
        body: Buffer.from(`${wire}\r\n`),
        bareLineEnds: true,
      })
    }
  })

  void it('over maxMessageBytes: discards, reads to the real terminator, reports once', () => {
    const reader = new SmtpReader({ maxLineBytes: 100, maxMessageBytes: 10 })
    reader.startData()
    const big = Buffer.from('0123456789\r\n'.repeat(1000))
    const inputs = run(reader, [...splitAt(big, [5, 777, 5000]), Buffer.from('.\r\nQUIT\r\n')])
    assert.deepEqual(inputs, [{ kind: 'data-too-large' }, { kind: 'line', line: 'QUIT' }])
  })

  void it('a message of exactly maxMessageBytes is accepted', () => {
    const [input] = readData([Buffer.from('12345678\r\n.\r\n')], {
      maxLineBytes: 100,
      maxMessageBytes: 10,
    })
    assert.equal(input?.kind, 'data')
  })

  void it('keeps memory bounded while discarding', () => {
    const reader = new SmtpReader({ maxLineBytes: 100, maxMessageBytes: 1000 })
    reader.startData()
    const chunk = Buffer.from('x'.repeat(1000) + '\r\n')
    for (let i = 0; i < 1000; i++) {
      reader.feed(chunk)
      assert.equal(reader.next(), undefined)
      assert.ok(reader.bufferedBytes <= 2)
    }
  })

  void it('a 25 MB message is read quickly', () => {
    const line = 'A line of a message body, with some text in it, about seventy-six chars.\r\n'
    const body = Buffer.from(line.repeat(Math.ceil(25e6 / line.length)))
    const wire = Buffer.concat([body, Buffer.from('.\r\n')])
    const reader = new SmtpReader({ maxLineBytes: 512, maxMessageBytes: 30e6 })
    reader.startData()
    const t = performance.now()
    const inputs = run(
      reader,
      splitAt(
        wire,
        Array.from({ length: 400 }, (_, i) => i * 65536),
      ),
    )
    const ms = performance.now() - t
    assert.equal(inputs.length, 1)
    assert.ok(inputs[0]?.kind === 'data' && inputs[0].body.equals(body))
    assert.ok(ms < 1000, `took ${ms} ms`)
  })

  void it('property: random bodies split anywhere round-trip through dot-stuffing', () => {
    const alphabet = fc.constantFrom('a', '.', '\r\n', '\r', '\n', '\0', ' ', '..')
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (parts, cuts) => {
          const body = Buffer.from(`${parts.join('')}\r\n`, 'latin1')
          const wire = Buffer.concat([dotStuff(body), Buffer.from('NOOP\r\n')])
          const reader = new SmtpReader(limits)
          reader.startData()
          const inputs = run(reader, splitAt(wire, cuts))
          const s = body.toString('latin1')
          const bare = /\r(?!\n)|(?<!\r)\n/.test(s)
          assert.deepEqual(inputs, [
            { kind: 'data', body, bareLineEnds: bare },
            { kind: 'line', line: 'NOOP' },
          ])
        },
      ),
      { numRuns: 2000 },
    )
  })
})

void describe('SmtpReader SMTP smuggling', () => {
  // /work/shared/conformance/smtp-smuggling/eod-sequences.yaml, read in place.
  const yamlPath = new URL(
    '../../../shared/conformance/smtp-smuggling/eod-sequences.yaml',
    import.meta.url,
  )
  const cases = [
    ...readFileSync(yamlPath, 'utf8').matchAll(
      /- id: (\S+)\n(?:\s+\w+:.*\n)*?\s+hex: ([0-9a-f ]+)/g,
    ),
  ].map((m) => ({ id: m[1] ?? '', bytes: Buffer.from((m[2] ?? '').replaceAll(' ', ''), 'hex') }))

  void it('loads the cases', () => {
    assert.ok(cases.length >= 12, `found ${cases.length}`)
    assert.ok(cases.some((c) => c.id === 'lf.crlf' && c.bytes.equals(Buffer.from('\n.\r\n'))))
  })

  for (const { id, bytes } of cases) {
    void it(`${id} does not end DATA`, () => {
      const smuggled =
        'MAIL FROM:<smuggled@evil.example>\r\nRCPT TO:<victim@local.example>\r\nDATA\r\n' +
        '\r\nsmuggled\r\n'
      const wire = Buffer.concat([
        Buffer.from('Subject: test\r\n\r\nbody line'),
        bytes,
        Buffer.from(smuggled),
      ])
      // Whole, and byte by byte: nothing may come out before the real terminator.
      for (const chunks of [[wire], [...wire].map((b) => Buffer.from([b]))]) {
        const reader = new SmtpReader(limits)
        reader.startData()
        assert.deepEqual(run(reader, chunks), [], 'input before the real terminator')
        const inputs = run(reader, [Buffer.from('\r\n.\r\n')])
        assert.equal(inputs.length, 1)
        const input = inputs[0]
        assert.ok(input?.kind === 'data')
        const body = input.body.toString('latin1')
        assert.ok(body.includes('MAIL FROM:<smuggled@evil.example>'), body)
        assert.ok(body.includes('smuggled\r\n'))
        assert.equal(reader.mode, 'line')
      }
    })
  }
})

void describe('SmtpReader BDAT mode', () => {
  void it('reads a chunk pipelined with its command and the next command', () => {
    const reader = new SmtpReader(limits)
    const inputs = run(reader, [Buffer.from('BDAT 5 LAST\r\nab\r\n.QUIT\r\n')], (input) => {
      if (input.kind === 'line' && input.line === 'BDAT 5 LAST') reader.startBdat(5, true)
    })
    assert.deepEqual(inputs, [
      { kind: 'line', line: 'BDAT 5 LAST' },
      { kind: 'bdat-chunk', body: Buffer.from('ab\r\n.'), last: true },
      { kind: 'line', line: 'QUIT' },
    ])
  })

  void it('collects a chunk split over many feeds, raw (no dot handling)', () => {
    const reader = new SmtpReader(limits)
    reader.startBdat(7, false)
    const inputs = run(
      reader,
      ['.\r', '\n.', '\r\n', 'xRSET\r\n'].map((s) => Buffer.from(s)),
    )
    assert.deepEqual(inputs, [
      { kind: 'bdat-chunk', body: Buffer.from('.\r\n.\r\nx'), last: false },
      { kind: 'line', line: 'RSET' },
    ])
  })

  void it('BDAT 0 LAST yields an empty chunk at once', () => {
    const reader = new SmtpReader(limits)
    reader.startBdat(0, true)
    assert.deepEqual(reader.next(), { kind: 'bdat-chunk', body: Buffer.alloc(0), last: true })
  })

  void it('sizes add up across chunks until resetMessage()', () => {
    const reader = new SmtpReader({ maxLineBytes: 100, maxMessageBytes: 10 })
    reader.startBdat(6, false)
    assert.deepEqual(run(reader, [Buffer.from('123456')]), [
      { kind: 'bdat-chunk', body: Buffer.from('123456'), last: false },
    ])
    reader.startBdat(6, true)
    // The over-large chunk is read and discarded, then the reader is back in sync.
    assert.deepEqual(run(reader, [Buffer.from('abc'), Buffer.from('defNOOP\r\n')]), [
      { kind: 'bdat-too-large' },
      { kind: 'line', line: 'NOOP' },
    ])
    reader.resetMessage()
    reader.startBdat(10, true)
    assert.equal(run(reader, [Buffer.from('0123456789')])[0]?.kind, 'bdat-chunk')
  })
})
