import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  CommandArgumentError,
  dataBody,
  encodeXtext,
  mailFromCommand,
  rcptToCommand,
} from './commands.ts'
import { decodeXtext } from '../smtp/command.ts'

test('MAIL FROM with every parameter', () => {
  assert.equal(mailFromCommand({ from: '' }), 'MAIL FROM:<>\r\n')
  assert.equal(
    mailFromCommand({
      from: 'a@x.test',
      size: 1234,
      eightBitMime: true,
      smtputf8: true,
      ret: 'HDRS',
      envid: 'id=1+2',
    }),
    'MAIL FROM:<a@x.test> SIZE=1234 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+3D1+2B2\r\n',
  )
})

test('RCPT TO with NOTIFY and ORCPT (typed or bare)', () => {
  assert.equal(
    rcptToCommand({ to: 'b@y.test', notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;b+x@y.test' }),
    'RCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@y.test\r\n',
  )
  assert.equal(
    rcptToCommand({ to: 'b@y.test', orcpt: 'b@y.test' }),
    'RCPT TO:<b@y.test> ORCPT=rfc822;b@y.test\r\n',
  )
  assert.equal(rcptToCommand({ to: 'b@y.test', notify: [] }), 'RCPT TO:<b@y.test>\r\n')
})

test('line breaks in addresses are refused', () => {
  assert.throws(() => mailFromCommand({ from: 'a@x\r\nRCPT TO:<e@vil>' }), CommandArgumentError)
  assert.throws(() => rcptToCommand({ to: 'b@y\n' }), CommandArgumentError)
})

test('xtext round-trips through the server-side decoder', () => {
  assert.equal(encodeXtext('a b=c+é'), 'a+20b+3Dc+2B+C3+A9')
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      const enc = encodeXtext(s)
      assert.match(enc, /^[!-~]*$/)
      assert.equal(decodeXtext(enc), Buffer.from(s, 'utf8').toString('utf8'))
    }),
  )
})

test('dot-stuffing and the end of data', () => {
  const body = (s: string): string => dataBody(Buffer.from(s)).toString()
  assert.equal(body('a\r\n.b\r\n..c\r\n'), 'a\r\n..b\r\n...c\r\n.\r\n')
  assert.equal(body('.start\r\nx'), '..start\r\nx\r\n.\r\n')
  assert.equal(body(''), '.\r\n')
  assert.equal(body('a\r\n.\r\n'), 'a\r\n..\r\n.\r\n')
})

test('property: un-stuffing the wire body gives the message back', () => {
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[.a-z]{0,6}$/), { maxLength: 8 }), (lines) => {
      const message = lines.map((l) => `${l}\r\n`).join('')
      const wire = dataBody(Buffer.from(message)).toString()
      assert.ok(wire.endsWith('\r\n.\r\n') || wire === '.\r\n')
      const content = wire.slice(0, -3)
      const unstuffed = content
        .split('\r\n')
        .map((l) => (l.startsWith('.') ? l.slice(1) : l))
        .join('\r\n')
      assert.equal(unstuffed, message)
    }),
  )
})
