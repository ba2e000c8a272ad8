import { test } from 'node:test'
import assert from 'node:assert/strict'
import { scanHeaders } from './header-scan.ts'

test('scanHeaders counts Received fields and finds Message-ID and Date', () => {
  const raw = Buffer.from(
    'Received: from a\r\n by b; x\r\nReceived: from c\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n' +
      'Message-ID:\r\n <id@x>\r\nSubject: hi\r\n\r\nReceived: not a header\r\n',
  )
  const scan = scanHeaders(raw)
  assert.equal(scan.receivedCount, 2)
  assert.equal(scan.messageId, '<id@x>')
  assert.equal(scan.hasDate, true)
  assert.equal(raw.subarray(scan.headerEnd).toString(), 'Received: not a header\r\n')
})

test('scanHeaders handles a message without a body or without headers', () => {
  assert.equal(scanHeaders(Buffer.from('Subject: x\r\n')).headerEnd, 12)
  const noHeader = scanHeaders(Buffer.from('\r\nbody\r\n'))
  assert.equal(noHeader.headerEnd, 2)
  assert.equal(noHeader.receivedCount, 0)
  assert.equal(noHeader.messageId, undefined)
  assert.equal(noHeader.hasDate, false)
})
