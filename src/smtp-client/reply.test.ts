import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ReplyReader, ReplySyntaxError, buildReply, formatReplyForLog } from './reply.ts'

test('single and multi-line replies, split across chunks', () => {
  const r = new ReplyReader()
  assert.deepEqual(r.feed('220 mx.example ESMTP\r\n250-mx.exa'), [
    { code: 220, lines: ['mx.example ESMTP'] },
  ])
  assert.equal(r.isPartial, true)
  assert.deepEqual(r.feed('mple\r\n250-PIPELINING\r\n250 SIZE 100\r\n'), [
    { code: 250, lines: ['mx.example', 'PIPELINING', 'SIZE 100'] },
  ])
  assert.equal(r.isPartial, false)
})

test('enhanced status codes are parsed from every line when the first has one', () => {
  const r = new ReplyReader()
  const [reply] = r.feed('550-5.1.1 no such\r\n550 5.1.1 user here\r\n')
  assert.deepEqual(reply, { code: 550, enhanced: '5.1.1', lines: ['no such', 'user here'] })
  assert.equal(formatReplyForLog(reply), '550 5.1.1 no such; user here')
  // The class must agree with the reply code; otherwise it is text.
  assert.deepEqual(buildReply(451, ['5.1.1 odd']), { code: 451, lines: ['5.1.1 odd'] })
  assert.deepEqual(buildReply(452, ['4.5.3 too many']).enhanced, '4.5.3')
  assert.deepEqual(buildReply(250, ['2.0.0']), { code: 250, enhanced: '2.0.0', lines: [''] })
})

test('bare code, LF only line ends, several replies in one chunk', () => {
  const r = new ReplyReader()
  assert.deepEqual(r.feed('250\n354 go\r\n'), [
    { code: 250, lines: [''] },
    { code: 354, lines: ['go'] },
  ])
})

test('garbage, a code change inside a reply and over-long lines are protocol errors', () => {
  assert.throws(() => new ReplyReader().feed('hello\r\n'), ReplySyntaxError)
  assert.throws(() => new ReplyReader().feed('250-a\r\n251 b\r\n'), ReplySyntaxError)
  assert.throws(() => new ReplyReader().feed('2'.repeat(5000)), ReplySyntaxError)
  assert.throws(() => new ReplyReader().feed('250-x\r\n'.repeat(300)), ReplySyntaxError)
})

test('property: any split of a valid reply stream gives the same replies', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc
            .tuple(
              fc.integer({ min: 2, max: 5 }),
              fc.integer({ min: 0, max: 5 }),
              fc.integer({ min: 0, max: 9 }),
            )
            .map(([a, b, c]) => a * 100 + b * 10 + c),
          fc.array(fc.stringMatching(/^[ -~]{0,20}$/), { minLength: 1, maxLength: 4 }),
        ),
        { minLength: 1, maxLength: 5 },
      ),
      fc.integer({ min: 1, max: 7 }),
      (replies, step) => {
        const wire = replies
          .map(([code, lines]) =>
            lines
              .map((l, i) => `${String(code)}${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`)
              .join(''),
          )
          .join('')
        const r = new ReplyReader()
        const got = []
        for (let i = 0; i < wire.length; i += step) got.push(...r.feed(wire.slice(i, i + step)))
        assert.equal(got.length, replies.length)
        got.forEach((g, i) => {
          assert.equal(g.code, replies[i]?.[0])
        })
      },
    ),
  )
})

test('property: arbitrary bytes give replies or a ReplySyntaxError, nothing else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const r = new ReplyReader()
      try {
        for (const reply of r.feed(Buffer.from(bytes))) {
          assert.ok(reply.code >= 200 && reply.code <= 559)
        }
      } catch (err) {
        assert.ok(err instanceof ReplySyntaxError)
      }
    }),
  )
})
