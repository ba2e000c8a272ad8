import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeXtext, parseCommand } from './command.ts'
import type { ParseCommandOptions } from './command.ts'
import { SmtpReplyError } from './codes.ts'

const opts: ParseCommandOptions = { smtputf8Allowed: false }
const noParams = { smtputf8: false }

function assertReply(line: string, code: number, enhanced: string, o = opts): void {
  assert.throws(
    () => parseCommand(line, o),
    (err: unknown) => {
      assert.ok(err instanceof SmtpReplyError, String(err))
      assert.equal(`${err.code} ${err.enhanced ?? ''}`, `${code} ${enhanced}`, line)
      return true
    },
  )
}

void describe('parseCommand', () => {
  const ok: [string, unknown][] = [
    ['EHLO mx.example', { kind: 'ehlo', domain: 'mx.example' }],
    ['ehlo [192.0.2.1]', { kind: 'ehlo', domain: '[192.0.2.1]' }],
    ['HELO odd_host-name  ', { kind: 'helo', domain: 'odd_host-name' }],
    ['MAIL FROM:<me@localhost>', { kind: 'mail', from: mb('me', 'localhost'), params: noParams }],
    ['MAIL FROM: <me@localhost>', { kind: 'mail', from: mb('me', 'localhost'), params: noParams }],
    ['mail from:<>', { kind: 'mail', from: { kind: 'null' }, params: noParams }],
    ['MAIL FROM:<>  ', { kind: 'mail', from: { kind: 'null' }, params: noParams }],
    [
      'MAIL FROM:<a@b.example> SIZE=1000 body=8bitmime RET=hdrs ENVID=QQ+2B1 AUTH=<>',
      {
        kind: 'mail',
        from: mb('a', 'b.example'),
        params: {
          smtputf8: false,
          size: 1000,
          body: '8BITMIME',
          ret: 'HDRS',
          envid: 'QQ+1',
          auth: '<>',
        },
      },
    ],
    [
      'MAIL FROM:<usér@b.example> SMTPUTF8 BODY=BINARYMIME',
      {
        kind: 'mail',
        from: {
          kind: 'mailbox',
          localPart: 'usér',
          domain: 'b.example',
          address: 'usér@b.example',
        },
        params: { smtputf8: true, body: 'BINARYMIME' },
      },
    ],
    [
      'MAIL FROM:<a@b> AUTH=e+3Dmc2@example.com',
      { kind: 'mail', from: mb('a', 'b'), params: { smtputf8: false, auth: 'e=mc2@example.com' } },
    ],
    [
      'RCPT TO:<@relay:user@other.example>',
      { kind: 'rcpt', to: mb('user', 'other.example'), params: {} },
    ],
    [
      'RCPT TO:<user%other.example@local>',
      { kind: 'rcpt', to: mb('user%other.example', 'local'), params: {} },
    ],
    [
      'RCPT TO:<other.example!user@local>',
      { kind: 'rcpt', to: mb('other.example!user', 'local'), params: {} },
    ],
    [
      'RCPT TO:<"user@other.example"@local>',
      {
        kind: 'rcpt',
        to: {
          kind: 'mailbox',
          localPart: 'user@other.example',
          domain: 'local',
          address: '"user@other.example"@local',
        },
        params: {},
      },
    ],
    [
      'RCPT TO:<"a b"@x> NOTIFY=NEVER',
      {
        kind: 'rcpt',
        to: { kind: 'mailbox', localPart: 'a b', domain: 'x', address: '"a b"@x' },
        params: { notify: ['NEVER'] },
      },
    ],
    ['rcpt to:<Postmaster>', { kind: 'rcpt', to: { kind: 'postmaster' }, params: {} }],
    [
      'RCPT TO:<u@x> notify=success,Delay ORCPT=rfc822;u+40x.example',
      {
        kind: 'rcpt',
        to: mb('u', 'x'),
        params: { notify: ['SUCCESS', 'DELAY'], orcpt: { type: 'rfc822', value: 'u@x.example' } },
      },
    ],
    ['DATA', { kind: 'data' }],
    ['data ', { kind: 'data' }],
    ['BDAT 1000', { kind: 'bdat', size: 1000, last: false }],
    ['bdat 0 last', { kind: 'bdat', size: 0, last: true }],
    ['RSET', { kind: 'rset' }],
    ['NOOP', { kind: 'noop' }],
    ['NOOP anything at all', { kind: 'noop' }],
    ['QUIT', { kind: 'quit' }],
    ['VRFY postmaster', { kind: 'vrfy', arg: 'postmaster' }],
    ['EXPN list', { kind: 'expn', arg: 'list' }],
    ['HELP', { kind: 'help', arg: '' }],
    ['HELP MAIL', { kind: 'help', arg: 'MAIL' }],
    ['StartTLS', { kind: 'starttls' }],
    ['AUTH plain', { kind: 'auth', mechanism: 'PLAIN' }],
    [
      'AUTH PLAIN AHVzZXIAcGFzcw==',
      { kind: 'auth', mechanism: 'PLAIN', initialResponse: 'AHVzZXIAcGFzcw==' },
    ],
    ['AUTH PLAIN =', { kind: 'auth', mechanism: 'PLAIN', initialResponse: '=' }],
  ]
  for (const [line, expected] of ok) {
    void it(`parses ${line}`, () => {
      assert.deepEqual(parseCommand(line, opts), expected)
    })
  }

  void it('allows UTF-8 recipients only in an SMTPUTF8 transaction', () => {
    const line = 'RCPT TO:<usér@x.example>'
    assert.equal(parseCommand(line, { smtputf8Allowed: true }).kind, 'rcpt')
    assertReply(line, 553, '5.6.7')
  })

  const bad: [string, number, string][] = [
    ['', 500, '5.5.2'],
    ['FOO bar', 500, '5.5.2'],
    ['MAILFROM:<a@b>', 500, '5.5.2'],
    ['NOOP\0', 500, '5.5.2'],
    ['NOOP\rQUIT', 500, '5.5.2'],
    ['NOOP\nQUIT', 500, '5.5.2'],
    ['EHLO', 501, '5.5.4'],
    ['HELO   ', 501, '5.5.4'],
    ['MAIL TO:<a@b>', 501, '5.5.4'],
    ['MAIL FROM:a@b', 501, '5.5.4'],
    ['MAIL FROM:<@>', 501, '5.1.7'],
    ['MAIL FROM:<a@b>SIZE=1', 501, '5.5.4'],
    ['MAIL FROM:<usér@b>', 553, '5.6.7'],
    ['RCPT TO:<>', 501, '5.1.3'],
    ['RCPT TO:<a@@b>', 501, '5.1.3'],
    ['MAIL FROM:<a@b> SIZE=big', 501, '5.5.4'],
    ['MAIL FROM:<a@b> SIZE', 501, '5.5.4'],
    ['MAIL FROM:<a@b> SIZE=1 size=2', 501, '5.5.4'],
    ['MAIL FROM:<a@b> BODY=9BIT', 501, '5.5.4'],
    ['MAIL FROM:<a@b> SMTPUTF8=yes', 501, '5.5.4'],
    ['MAIL FROM:<a@b> RET=ALL', 501, '5.5.4'],
    ['MAIL FROM:<a@b> ENVID=a+zz', 501, '5.5.4'],
    [`MAIL FROM:<a@b> ENVID=${'x'.repeat(101)}`, 501, '5.5.4'],
    ['MAIL FROM:<a@b> -BAD=1', 501, '5.5.4'],
    ['MAIL FROM:<a@b> X=a=b', 501, '5.5.4'],
    ['MAIL FROM:<a@b> XFORWARD=1', 555, '5.5.4'],
    ['MAIL FROM:<a@b> NOTIFY=NEVER', 555, '5.5.4'],
    ['RCPT TO:<a@b> SIZE=1', 555, '5.5.4'],
    ['RCPT TO:<a@b> NOTIFY=NEVER,SUCCESS', 501, '5.5.4'],
    ['RCPT TO:<a@b> NOTIFY=SUCCESS,SUCCESS', 501, '5.5.4'],
    ['RCPT TO:<a@b> NOTIFY=', 501, '5.5.4'],
    ['RCPT TO:<a@b> ORCPT=u@x', 501, '5.5.4'],
    ['DATA now', 501, '5.5.4'],
    ['RSET x', 501, '5.5.4'],
    ['QUIT now', 501, '5.5.4'],
    ['STARTTLS x', 501, '5.5.4'],
    ['BDAT', 501, '5.5.4'],
    ['BDAT -1', 501, '5.5.4'],
    ['BDAT 10 FIRST', 501, '5.5.4'],
    ['VRFY', 501, '5.5.4'],
    ['EXPN  ', 501, '5.5.4'],
    ['AUTH', 501, '5.5.4'],
    ['AUTH PLAIN abc def', 501, '5.5.4'],
    ['AUTH PLAIN a*b', 501, '5.5.2'],
  ]
  for (const [line, code, enhanced] of bad) {
    void it(`refuses ${JSON.stringify(line).slice(0, 50)} with ${code} ${enhanced}`, () => {
      assertReply(line, code, enhanced)
    })
  }

  void it('property: throws nothing but SmtpReplyError on arbitrary lines', () => {
    const verb = fc.constantFrom('MAIL FROM:', 'RCPT TO:', 'EHLO ', 'BDAT ', 'AUTH ', 'DATA', '')
    const chars = fc.constantFrom(...'<>@"\\.,:;=+[] aZ9-\0\r\né'.split(''))
    fc.assert(
      fc.property(
        verb,
        fc.array(chars, { maxLength: 40 }),
        fc.string(),
        fc.boolean(),
        (v, cs, s, utf8) => {
          for (const line of [v + cs.join(''), v + s]) {
            try {
              const command = parseCommand(line, { smtputf8Allowed: utf8 })
              assert.equal(typeof command.kind, 'string')
            } catch (err) {
              assert.ok(err instanceof SmtpReplyError, `${JSON.stringify(line)}: ${String(err)}`)
            }
          }
        },
      ),
      { numRuns: 5000 },
    )
  })
})

void describe('decodeXtext', () => {
  void it('decodes +HH and leaves other characters (RFC 3461 4)', () => {
    assert.equal(decodeXtext('plain'), 'plain')
    assert.equal(decodeXtext('a+2Bb+3D'), 'a+b=')
    assert.equal(decodeXtext('+C3+A9'), 'é')
    assert.equal(decodeXtext('+2b'), '+')
    assert.throws(() => decodeXtext('a+2'), SmtpReplyError)
    assert.throws(() => decodeXtext('a+GG'), SmtpReplyError)
  })
})

function mb(localPart: string, domain: string): unknown {
  return { kind: 'mailbox', localPart, domain, address: `${localPart}@${domain.toLowerCase()}` }
}
