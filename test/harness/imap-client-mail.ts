// Mail for the IMAP end-to-end tests and benchmark: distinct RFC 5322 messages, and their
// delivery over SMTP to Postern (several sessions at once, bounded), as real mail arrives.
import { SmtpClient } from './smtp-client.ts'

export interface TestMessage {
  id: string
  subject: string
  /** The message as sent (CRLF line ends). */
  raw: Buffer
  /** The body as sent (after the blank line). */
  body: Buffer
}

/** A plain-text message with a unique Message-ID, subject and (optional) body words. */
export function testMessage(opts: {
  id: string
  to: string
  from?: string
  subject?: string
  body?: string
}): TestMessage {
  const subject = opts.subject ?? `test ${opts.id}`
  const head = [
    `From: Sender <${opts.from ?? 'sender@client.test'}>`,
    `To: <${opts.to}>`,
    `Subject: ${subject}`,
    `Message-ID: <${opts.id}@client.test>`,
    'Date: Tue, 03 Mar 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    '',
  ].join('\r\n')
  const body = Buffer.from(
    (opts.body ?? `Body of ${opts.id}.\r\nSecond line.`).replace(/\r?\n/g, '\r\n') + '\r\n',
    'utf8',
  )
  return { id: opts.id, subject, raw: Buffer.concat([Buffer.from(head, 'utf8'), body]), body }
}

/**
 * Delivers the messages over SMTP with `sessions` connections at once (one EHLO per
 * connection, many transactions each). Throws if any is not accepted with 250.
 */
export async function deliver(
  smtpPort: number,
  mails: { to: string; message: TestMessage }[],
  sessions = 1,
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    const c = await SmtpClient.connect(smtpPort, { timeoutMs: 60_000 })
    try {
      await c.transact(250, 'EHLO client.test')
      for (let i = next++; i < mails.length; i = next++) {
        const m = mails[i]
        if (m === undefined) break
        const r = await c.sendMail('sender@client.test', [m.to], m.message.raw)
        if (r.code !== 250) throw new Error(`delivery of ${m.message.id} -> ${r.raw}`)
      }
    } finally {
      await c.quit()
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(sessions, mails.length)) }, worker))
}
