import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ProtocolBad } from './errors.ts'
import {
  decodeMailboxName,
  decodeModifiedUtf7,
  encodeMailboxName,
  encodeModifiedUtf7,
  normaliseInbox,
} from './mailbox-name.ts'

void describe('modified UTF-7 (RFC 3501 5.1.3)', () => {
  const pairs: [string, string][] = [
    ['INBOX', 'INBOX'],
    ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
    ['a&b', 'a&-b'],
    ['Entwürfe', 'Entw&APw-rfe'],
    ['😀', '&2D3eAA-'],
    ['', ''],
  ]
  for (const [name, wire] of pairs) {
    void it(`${name} <-> ${wire}`, () => {
      assert.equal(encodeModifiedUtf7(name), wire)
      assert.equal(decodeModifiedUtf7(wire), name)
    })
  }

  for (const bad of ['&Jjo', '&Jjo!-', '&AGE-', '&2D0-', 'é', 'a&', '&U,BTF2XlZyyKng-x&']) {
    void it(`refuses ${bad}`, () => {
      assert.throws(() => decodeModifiedUtf7(bad), ProtocolBad)
    })
  }

  void it('round-trips any well-formed name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (name) => {
        const wire = encodeModifiedUtf7(name)
        assert.match(wire, /^[\x20-\x7e]*$/)
        assert.equal(decodeModifiedUtf7(wire), name)
      }),
    )
  })

  void it('INBOX is case-insensitive; UTF-8 mode passes names through', () => {
    assert.equal(normaliseInbox('iNbOx'), 'INBOX')
    assert.equal(normaliseInbox('ınbox'), 'ınbox') // dotless i is not ASCII "i"
    assert.equal(decodeMailboxName('inbox', false), 'INBOX')
    assert.equal(decodeMailboxName('&ZeVnLIqe-', true), '&ZeVnLIqe-')
    assert.equal(encodeMailboxName('日本語', true), '日本語')
    assert.equal(encodeMailboxName('日本語', false), '&ZeVnLIqe-')
    assert.throws(() => decodeMailboxName('a\tb', true), ProtocolBad)
  })
})
