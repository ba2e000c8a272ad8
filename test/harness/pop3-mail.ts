// Mail for the POP3 end-to-end tests and benchmark: messages of a given size (with lines
// that start with "." so byte-stuffing is exercised), delivered through Postern's SMTP
// listener over one session, as a real sender would.
import assert from 'node:assert/strict'
import { SmtpClient, dataBlock } from './smtp-client.ts'

/** A CRLF message of about `bytes` bytes whose Subject and Message-ID name `id`. */
export function pop3TestMessage(id: string, bytes: number): Buffer {
  const head =
    `From: <sender@remote.test>\r\nTo: <user@example.test>\r\nSubject: pop3 ${id}\r\n` +
    `Message-ID: <${id}@remote.test>\r\nMIME-Version: 1.0\r\n\r\n`
  const lines = [
    'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopq.',
    '. a line starting with a dot, which must be byte-stuffed on the wire',
    '..two dots',
  ]
  let body = ''
  for (let i = 0; head.length + body.length < bytes; i++) body += `${lines[i % 3] ?? ''}\r\n`
  return Buffer.from(head + body, 'latin1')
}

/** Sends each message to `to` over one SMTP session. */
export async function deliverOverSmtp(opts: {
  smtpPort: number
  to: string
  messages: readonly Buffer[]
}): Promise<void> {
  const c = await SmtpClient.connect(opts.smtpPort, { timeoutMs: 60_000 })
  await c.transact(250, 'EHLO client.test')
  for (const message of opts.messages) {
    await c.transact(250, 'MAIL FROM:<sender@remote.test>')
    await c.transact(250, `RCPT TO:<${opts.to}>`)
    await c.transact(354, 'DATA')
    c.write(dataBlock(message))
    const reply = await c.read()
    assert.equal(reply.code, 250, reply.raw)
  }
  await c.quit()
}
