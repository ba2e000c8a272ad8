import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { normalizeAddress, parsePath } from './address.ts'
import type { PathOptions } from './address.ts'
import { SmtpReplyError } from './codes.ts'

const rcpt: PathOptions = { smtputf8: false, role: 'rcpt' }
const mail: PathOptions = { smtputf8: false, role: 'mail' }

function mailbox(localPart: string, domain: string, address: string): unknown {
  return { kind: 'mailbox', localPart, domain, address }
}

function assertReply(fn: () => unknown, code: number, enhanced: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SmtpReplyError)
    assert.equal(err.code, code)
    assert.equal(err.enhanced, enhanced)
    return true
  })
}

void describe('parsePath', () => {
  const ok: [string, PathOptions, unknown][] = [
    ['<>', mail, { kind: 'null' }],
    ['<me@localhost>', mail, mailbox('me', 'localhost', 'me@localhost')],
    [
      '<User.Name+tag@Example.COM>',
      rcpt,
      mailbox('User.Name+tag', 'Example.COM', 'User.Name+tag@example.com'),
    ],
    ['<@relay:user@other.example>', rcpt, mailbox('user', 'other.example', 'user@other.example')],
    ['<@a.example,@[1.2.3.4]:u@d.example>', rcpt, mailbox('u', 'd.example', 'u@d.example')],
    [
      '<user%other.example@local>',
      rcpt,
      mailbox('user%other.example', 'local', 'user%other.example@local'),
    ],
    [
      '<other.example!user@local>',
      rcpt,
      mailbox('other.example!user', 'local', 'other.example!user@local'),
    ],
    [
      '<"user@other.example"@local>',
      rcpt,
      mailbox('user@other.example', 'local', '"user@other.example"@local'),
    ],
    ['<"a b"@x.example>', rcpt, mailbox('a b', 'x.example', '"a b"@x.example')],
    ['<"a\\"b\\\\c"@x.example>', rcpt, mailbox('a"b\\c', 'x.example', '"a\\"b\\\\c"@x.example')],
    // RFC 5321 4.1.2: a quoted string that needs no quotes is the same mailbox.
    ['<"abc"@x.example>', rcpt, mailbox('abc', 'x.example', 'abc@x.example')],
    ['<u@[192.0.2.1]>', rcpt, mailbox('u', '[192.0.2.1]', 'u@[192.0.2.1]')],
    ['<u@[IPv6:2001:db8::1]>', rcpt, mailbox('u', '[IPv6:2001:db8::1]', 'u@[ipv6:2001:db8::1]')],
    ['<Postmaster>', rcpt, { kind: 'postmaster' }],
    ['<postmaster>', rcpt, { kind: 'postmaster' }],
    [
      '<usér@exämple.com>',
      { smtputf8: true, role: 'rcpt' },
      mailbox('usér', 'exämple.com', 'usér@exämple.com'),
    ],
  ]
  for (const [input, opts, expected] of ok) {
    void it(`accepts ${input}`, () => {
      assert.deepEqual(parsePath(input, opts), expected)
    })
  }

  const bad: [string, PathOptions, number, string][] = [
    ['<@>', mail, 501, '5.1.7'],
    ['<@>', rcpt, 501, '5.1.3'],
    ['<>', rcpt, 501, '5.1.3'],
    ['me@localhost', mail, 501, '5.1.7'],
    ['<me@localhost', mail, 501, '5.1.7'],
    ['<me@localhost> x', mail, 501, '5.1.7'],
    ['<me>', mail, 501, '5.1.7'],
    ['<Postmaster>', mail, 501, '5.1.7'],
    ['<a..b@x>', rcpt, 501, '5.1.3'],
    ['<.a@x>', rcpt, 501, '5.1.3'],
    ['<a b@x>', rcpt, 501, '5.1.3'],
    ['<a@-x.example>', rcpt, 501, '5.1.3'],
    ['<a@x..example>', rcpt, 501, '5.1.3'],
    ['<a@x.example.>', rcpt, 501, '5.1.3'],
    ['<a@[999.1.1.1]>', rcpt, 501, '5.1.3'],
    ['<a@[IPv6:zz]>', rcpt, 501, '5.1.3'],
    ['<"unterminated@x>', rcpt, 501, '5.1.3'],
    ['<@relay,user@x>', rcpt, 501, '5.1.3'],
    [`<${'a'.repeat(65)}@x.example>`, rcpt, 501, '5.1.3'],
    [`<a@${'b'.repeat(64)}.example>`, rcpt, 501, '5.1.3'],
    [`<a@${'b.'.repeat(127)}cc>`, rcpt, 501, '5.1.3'],
    ['<usér@example.com>', rcpt, 553, '5.6.7'],
    ['<u@exämple.com>', mail, 553, '5.6.7'],
  ]
  for (const [input, opts, code, enhanced] of bad) {
    void it(`refuses ${input.slice(0, 40)} for ${opts.role} with ${code} ${enhanced}`, () => {
      assertReply(() => parsePath(input, opts), code, enhanced)
    })
  }

  void it('accepts a 64-octet local part and refuses a path over 256 octets', () => {
    const local = 'a'.repeat(64)
    assert.equal(parsePath(`<${local}@x.example>`, rcpt).kind, 'mailbox')
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(57)}`
    assertReply(() => parsePath(`<${local}@${domain}>`, rcpt), 501, '5.1.3')
  })

  void it('property: throws only SmtpReplyError, and accepted mailboxes round-trip', () => {
    const chars = fc.constantFrom(...'<>@"\\.,:[]a-b1 é'.split(''))
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 30 }), fc.boolean(), (cs, utf8) => {
        const opts: PathOptions = { smtputf8: utf8, role: 'rcpt' }
        try {
          const path = parsePath(cs.join(''), opts)
          if (path.kind === 'mailbox') {
            assert.deepEqual(parsePath(`<${path.address}>`, opts), {
              ...path,
              domain: path.domain.toLowerCase(),
            })
          }
        } catch (err) {
          assert.ok(err instanceof SmtpReplyError, String(err))
        }
      }),
      { numRuns: 5000 },
    )
  })
})

void describe('normalizeAddress', () => {
  void it('lower-cases the domain, keeps the local part, quotes when needed', () => {
    assert.equal(normalizeAddress('John.Doe', 'EXAMPLE.org'), 'John.Doe@example.org')
    assert.equal(normalizeAddress('a b', 'x'), '"a b"@x')
    assert.equal(normalizeAddress('u@v', 'x'), '"u@v"@x')
    assert.equal(normalizeAddress('', 'x'), '""@x')
  })
})
