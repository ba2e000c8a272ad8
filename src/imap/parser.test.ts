import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ProtocolBad, ProtocolNo } from './errors.ts'
import { parseOne } from './parse-wire.ts'
import { parseCommand } from './parser.ts'
import type { ParseContext } from './parser.ts'

const ctx: ParseContext = { isUtf8Enabled: false }
const all = { kind: 'ranges', ranges: [{ start: 1, end: '*' }] }
const one = { kind: 'ranges', ranges: [{ start: 1, end: 1 }] }

/** name and args of a command line (tag is always "a"). */
function p(line: string, c: ParseContext = ctx): unknown {
  const cmd = parseOne(line, c)
  assert.equal(cmd.tag, 'a')
  return { name: cmd.name, isUid: cmd.isUid, args: cmd.args }
}

function assertBad(line: string, c: ParseContext = ctx): void {
  assert.throws(() => parseOne(line, c), ProtocolBad, line)
}

void describe('parseCommand: every command, good input', () => {
  const ok: [string, string, boolean, unknown][] = [
    ['a CAPABILITY', 'capability', false, {}],
    ['a noop', 'noop', false, {}],
    ['a LOGOUT', 'logout', false, {}],
    ['a STARTTLS', 'starttls', false, {}],
    ['a NAMESPACE', 'namespace', false, {}],
    ['a IDLE', 'idle', false, {}],
    ['a CHECK', 'check', false, {}],
    ['a CLOSE', 'close', false, {}],
    ['a UNSELECT', 'unselect', false, {}],
    ['a EXPUNGE', 'expunge', false, {}],
    ['a LOGIN SMITH SESAME', 'login', false, { username: 'SMITH', password: 'SESAME' }],
    ['a LOGIN "fred" {3}\r\nb"\\', 'login', false, { username: 'fred', password: 'b"\\' }],
    ['a LOGIN "a\\"b" "c\\\\d"', 'login', false, { username: 'a"b', password: 'c\\d' }],
    ['a AUTHENTICATE plain', 'authenticate', false, { mechanism: 'PLAIN' }],
    [
      'a AUTHENTICATE PLAIN AGJvYgBwdw==',
      'authenticate',
      false,
      { mechanism: 'PLAIN', initialResponse: Buffer.from('\0bob\0pw') },
    ],
    [
      'a AUTHENTICATE EXTERNAL =',
      'authenticate',
      false,
      { mechanism: 'EXTERNAL', initialResponse: Buffer.alloc(0) },
    ],
    [
      'a ENABLE CONDSTORE utf8=accept',
      'enable',
      false,
      { capabilities: ['CONDSTORE', 'UTF8=ACCEPT'] },
    ],
    ['a ID NIL', 'id', false, { params: null }],
    [
      'a ID ("name" "sodr" "version" NIL)',
      'id',
      false,
      {
        params: [
          ['name', 'sodr'],
          ['version', null],
        ],
      },
    ],
    ['a ID ()', 'id', false, { params: [] }],
    ['a SELECT inbox', 'select', false, { mailbox: 'INBOX', isCondstore: false }],
    ['a EXAMINE "Drafts" (CONDSTORE)', 'examine', false, { mailbox: 'Drafts', isCondstore: true }],
    ['a CREATE owatagusiam/', 'create', false, { mailbox: 'owatagusiam/', specialUse: [] }],
    [
      'a CREATE MySpecial (USE (\\drafts \\Sent))',
      'create',
      false,
      { mailbox: 'MySpecial', specialUse: ['\\Drafts', '\\Sent'] },
    ],
    ['a DELETE blurdybloop', 'delete', false, { mailbox: 'blurdybloop' }],
    ['a RENAME blurdybloop sarasoop', 'rename', false, { from: 'blurdybloop', to: 'sarasoop' }],
    ['a SUBSCRIBE #news.comp.mail.mime', 'subscribe', false, { mailbox: '#news.comp.mail.mime' }],
    ['a UNSUBSCRIBE "a b"', 'unsubscribe', false, { mailbox: 'a b' }],
    [
      'a LSUB "#news." "comp.mail.*"',
      'lsub',
      false,
      { reference: '#news.', pattern: 'comp.mail.*' },
    ],
    [
      'a STATUS blurdybloop (UIDNEXT MESSAGES size highestmodseq)',
      'status',
      false,
      { mailbox: 'blurdybloop', items: ['UIDNEXT', 'MESSAGES', 'SIZE', 'HIGHESTMODSEQ'] },
    ],
    ['a GETQUOTA ""', 'getquota', false, { root: '' }],
    ['a GETQUOTAROOT INBOX', 'getquotaroot', false, { mailbox: 'INBOX' }],
    [
      'a COPY 2:4 MEETING',
      'copy',
      false,
      { sequenceSet: { kind: 'ranges', ranges: [{ start: 2, end: 4 }] }, mailbox: 'MEETING' },
    ],
    [
      'a UID MOVE 42:69 foo',
      'uid-move',
      true,
      { sequenceSet: { kind: 'ranges', ranges: [{ start: 42, end: 69 }] }, mailbox: 'foo' },
    ],
    ['a MOVE $ Trash', 'move', false, { sequenceSet: { kind: 'saved' }, mailbox: 'Trash' }],
    ['a uid copy 1:* x', 'uid-copy', true, { sequenceSet: all, mailbox: 'x' }],
    [
      'a UID EXPUNGE 3000:3002',
      'uid-expunge',
      true,
      { sequenceSet: { kind: 'ranges', ranges: [{ start: 3000, end: 3002 }] } },
    ],
    [
      'a STORE 2:4 +FLAGS (\\Deleted)',
      'store',
      false,
      {
        sequenceSet: { kind: 'ranges', ranges: [{ start: 2, end: 4 }] },
        operation: 'add',
        isSilent: false,
        flags: ['\\Deleted'],
      },
    ],
    [
      'a UID STORE 1 -flags.silent \\seen foo',
      'uid-store',
      true,
      { sequenceSet: one, operation: 'remove', isSilent: true, flags: ['\\Seen', 'foo'] },
    ],
    [
      'a STORE 1 (UNCHANGEDSINCE 0) FLAGS ()',
      'store',
      false,
      { sequenceSet: one, operation: 'replace', isSilent: false, flags: [], unchangedSince: 0n },
    ],
    [
      'a SORT (REVERSE DATE subject) UTF-8 ALL',
      'sort',
      false,
      {
        criteria: [
          { key: 'DATE', isReverse: true },
          { key: 'SUBJECT', isReverse: false },
        ],
        charset: 'UTF-8',
        search: { kind: 'all' },
      },
    ],
    [
      'a UID THREAD REFERENCES US-ASCII SEEN',
      'uid-thread',
      true,
      {
        algorithm: 'REFERENCES',
        charset: 'US-ASCII',
        search: { kind: 'flag', flag: '\\Seen', isSet: true },
      },
    ],
    [
      'a UID SEARCH 1:*',
      'uid-search',
      true,
      { charset: 'UTF-8', criteria: { kind: 'sequence', set: all } },
    ],
    [
      'a FETCH 1 FAST',
      'fetch',
      false,
      {
        sequenceSet: one,
        attributes: [{ kind: 'flags' }, { kind: 'internal-date' }, { kind: 'rfc822-size' }],
        isVanished: false,
      },
    ],
    [
      'a APPEND saved-messages {3}\r\nabc',
      'append',
      false,
      {
        mailbox: 'saved-messages',
        flags: [],
        message: Buffer.from('abc'),
        isBinary: false,
        isUtf8: false,
      },
    ],
  ]
  for (const [line, name, isUid, args] of ok) {
    void it(line.replace(/\r\n/g, '⏎'), () => {
      assert.deepEqual(p(line), { name, isUid, args })
    })
  }
})

void describe('parseCommand: bad input is ProtocolBad', () => {
  const bad = [
    'a',
    'a ',
    '+a NOOP',
    'a* NOOP',
    'a FOO',
    'a NOOP extra',
    'a NOOP ',
    'a  NOOP',
    'a UID NOOP',
    'a UID',
    'a LOGIN onlyuser',
    'a LOGIN "unterminated',
    'a LOGIN "bad\\escape" x',
    'a AUTHENTICATE',
    'a AUTHENTICATE PLAIN ***',
    'a AUTHENTICATE PLAIN AGJvYg= x',
    'a ENABLE',
    'a ID',
    'a ID ("a")',
    'a SELECT',
    'a SELECT INBOX (FOO)',
    'a SELECT INBOX ()',
    'a SELECT "&Jjo"',
    'a SELECT "a\\"',
    'a CREATE x (USE (Sent))',
    'a CREATE x (FOO (\\Sent))',
    'a RENAME x',
    'a STATUS x ()',
    'a STATUS x (BOGUS)',
    'a STATUS x MESSAGES',
    'a COPY 0 x',
    'a COPY 1: x',
    'a COPY 4294967296 x',
    'a COPY x',
    'a UID EXPUNGE',
    'a STORE 1 FLAGS',
    'a STORE 1 LABELS (x)',
    'a STORE 1 (FOO 1) FLAGS (x)',
    'a STORE 1 (UNCHANGEDSINCE 9223372036854775808) FLAGS (x)',
    'a STORE 1 +FLAGS (\\)',
    'a SORT () UTF-8 ALL',
    'a SORT (BOGUS) UTF-8 ALL',
    'a THREAD BOGUS UTF-8 ALL',
    'a GETQUOTA',
    'a APPEND x',
    'a APPEND x (\\Seen)',
    'a APPEND x "1-Jan-2024 25:00:00 +0100" {1}\r\nz',
    'a APPEND x " 1-Foo-2024 10:00:00 +0100" {1}\r\nz',
    'a APPEND x UTF8 ({1}\r\nz)',
    'a NOOP {1}\r\nz',
  ]
  for (const line of bad) {
    void it(JSON.stringify(line), () => {
      assertBad(line)
    })
  }
})

void describe('parseCommand details', () => {
  void it('APPEND with flags, date-time, literal8 and UTF8 (RFC 3516, RFC 6855)', () => {
    const cmd = parseOne(
      'a APPEND INBOX (\\Seen $x \\seen) " 7-Feb-1994 21:52:25 -0800" ~{3}\r\na\0b',
    )
    assert.ok(cmd.name === 'append')
    assert.deepEqual(cmd.args.flags, ['\\Seen', '$x'])
    assert.equal(cmd.args.internalDate?.toISOString(), '1994-02-08T05:52:25.000Z')
    assert.deepEqual([cmd.args.isBinary, cmd.args.isUtf8], [true, false])
    const u = parseOne('a APPEND INBOX UTF8 (~{2}\r\nhi)')
    assert.ok(u.name === 'append')
    assert.deepEqual(
      [u.args.message.toString(), u.args.isBinary, u.args.isUtf8],
      ['hi', false, true],
    )
  })

  void it('mailbox names: modified UTF-7 unless UTF-8 is enabled', () => {
    const cmd = parseOne('a SELECT "~peter/mail/&U,BTFw-/&ZeVnLIqe-"')
    assert.ok(cmd.name === 'select')
    assert.equal(cmd.args.mailbox, '~peter/mail/台北/日本語')
    const u = parseOne('a SELECT "日本語/&x"', { isUtf8Enabled: true })
    assert.ok(u.name === 'select')
    assert.equal(u.args.mailbox, '日本語/&x')
    assertBad('a SELECT "日本語"') // 8-bit without UTF8=ACCEPT
  })

  void it('SELECT QRESYNC with known UIDs and sequence match data (RFC 7162 3.2.5.2)', () => {
    const cmd = parseOne(
      'a SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541 (1:10 41:50)))',
    )
    assert.ok(cmd.name === 'select')
    assert.equal(cmd.args.qresync?.uidValidity, 67890007)
    assert.equal(cmd.args.qresync.modSeq, 90060115194045000n)
    assert.deepEqual(cmd.args.qresync.seqMatch?.uids, {
      kind: 'ranges',
      ranges: [{ start: 41, end: 50 }],
    })
    const short = parseOne('a SELECT INBOX (QRESYNC (1 2))')
    assert.ok(short.name === 'select')
    assert.deepEqual(short.args.qresync, { uidValidity: 1, modSeq: 2n })
  })

  void it('an invalid UTF-8 line is BAD', () => {
    const raw = { tag: 'a', parts: [{ text: 'a NOOP' }], bytes: 8, hasInvalidUtf8: true }
    assert.throws(() => parseCommand(raw, ctx), ProtocolBad)
  })

  void it('SEARCH with an unknown CHARSET is NO [BADCHARSET]', () => {
    assert.throws(
      () => parseOne('a SEARCH CHARSET KOI8-R ALL'),
      (e: unknown) =>
        e instanceof ProtocolNo && typeof e.code === 'object' && e.code.name === 'BADCHARSET',
    )
  })
})

void describe('parseCommand never throws anything but ProtocolBad/ProtocolNo', () => {
  const words = [
    'a',
    'UID',
    'FETCH',
    'SEARCH',
    'STORE',
    'LIST',
    'APPEND',
    'SELECT',
    'BODY[',
    '1:*',
    '(',
    ')',
    '"',
    '\\',
    ' ',
    '{',
    '}',
    '<',
    '>',
    '[',
    ']',
    'NOT',
    'OR',
    '$',
    '*',
    'RETURN',
    'HEADER.FIELDS',
    '.',
    'FLAGS',
    'QRESYNC',
    'CHARSET',
    'UTF8',
    '~',
  ]
  const text = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.array(fc.constantFrom(...words), { maxLength: 25 }).map((w) => w.join('')),
  )
  const part = fc.record({
    text,
    literal: fc.option(
      fc.record({
        data: fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
        isBinary: fc.boolean(),
      }),
      { nil: undefined },
    ),
  })
  void it('on arbitrary commands', () => {
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (parts, isUtf8Enabled) => {
          const clean = parts.map((x, i) =>
            x.literal === undefined || i === parts.length - 1
              ? { text: x.text }
              : { text: x.text, literal: x.literal },
          )
          try {
            parseCommand(
              { tag: undefined, parts: clean, bytes: 0, hasInvalidUtf8: false },
              { isUtf8Enabled },
            )
          } catch (e) {
            if (!(e instanceof ProtocolBad) && !(e instanceof ProtocolNo)) throw e
          }
        },
      ),
      { numRuns: 3000 },
    )
  })
})
