import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  C250Ok,
  C421ServiceUnavailable,
  C550MailboxUnavailable,
  Es200Other,
  Es511BadDestMailbox,
  Es553TooManyRecipients,
  SmtpReplyError,
  formatReply,
} from './codes.ts'

void describe('formatReply', () => {
  void it('writes a single line with the enhanced code', () => {
    assert.equal(formatReply(C250Ok, Es200Other, 'OK'), '250 2.0.0 OK\r\n')
  })

  void it('writes continuation lines with the enhanced code on each (RFC 2034 3)', () => {
    assert.equal(
      formatReply(C550MailboxUnavailable, Es511BadDestMailbox, ['no such user', 'sorry']),
      '550-5.1.1 no such user\r\n550 5.1.1 sorry\r\n',
    )
  })

  void it('writes EHLO-style replies without an enhanced code', () => {
    assert.equal(
      formatReply(C250Ok, undefined, ['mx.example', 'PIPELINING', '8BITMIME']),
      '250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n',
    )
  })

  void it('splits embedded line breaks so a text cannot inject reply lines', () => {
    assert.equal(formatReply(C250Ok, undefined, 'a\r\n250 b\nc'), '250-a\r\n250-250 b\r\n250 c\r\n')
  })

  void it('writes a bare code for empty text', () => {
    assert.equal(formatReply(C250Ok, undefined, []), '250\r\n')
  })
})

void describe('SmtpReplyError', () => {
  void it('carries code, enhanced code, text, closes and cause', () => {
    const cause = new Error('disk')
    const err = new SmtpReplyError(C421ServiceUnavailable, undefined, 'bye', {
      closes: true,
      cause,
    })
    assert.ok(err instanceof Error)
    assert.equal(err.code, 421)
    assert.equal(err.enhanced, undefined)
    assert.equal(err.text, 'bye')
    assert.equal(err.closes, true)
    assert.equal(err.cause, cause)
    assert.equal(new SmtpReplyError(C250Ok, Es200Other, 'x').closes, false)
  })

  void it('names enhanced codes after RFC 3463', () => {
    assert.equal(Es553TooManyRecipients, '5.5.3')
  })
})
