// MAIL FROM (RFC 5321 4.1.1.2): opens a transaction, with the SIZE (RFC 1870), BODY
// (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531) and DSN RET/ENVID (RFC 3461) parameters.
import type { SmtpCommand } from '../../smtp/command.ts'
import {
  SmtpReplyError,
  C250Ok,
  C503BadSequence,
  C552ExceededStorage,
  Es210OtherAddress,
  Es534MsgTooBig,
  Es551InvalidCommand,
} from '../../smtp/codes.ts'
import type { SmtpSession } from '../session.ts'
import { checkEnvelopeSender } from '../sender-identity.ts'

type Mail = Extract<SmtpCommand, { kind: 'mail' }>

export async function runMail(session: SmtpSession, command: Mail): Promise<void> {
  // RFC 5321 4.1.4: MAIL inside a transaction is a sequence error.
  if (session.transaction) {
    throw new SmtpReplyError(C503BadSequence, Es551InvalidCommand, 'nested MAIL command')
  }
  const max = session.deps.settings.maxMessageBytes
  // RFC 1870 6: a declared size over the limit is refused at MAIL.
  if (command.params.size !== undefined && command.params.size > max) {
    throw new SmtpReplyError(
      C552ExceededStorage,
      Es534MsgTooBig,
      `message size exceeds fixed maximum message size of ${max} bytes`,
    )
  }
  const from = command.from
  const mailFrom = from.kind === 'mailbox' ? from.address : ''
  // RFC 6409 6.1: on submission the sender must be the authenticated user's. The AUTH=
  // parameter (RFC 4954 5) is accepted and not used: the session's own identity counts.
  if (session.deps.settings.role === 'submission') await checkEnvelopeSender(session, mailFrom)
  // A throttled or suspended account (the outbound sender score) is refused here.
  const sender = session.authenticated
  if (sender !== undefined) await session.deps.senderCheck?.(sender.accountId)
  session.transaction = { mailFrom, params: command.params, rcpts: [], chunks: undefined }
  session.resetMessageSize()
  session.reply(C250Ok, Es210OtherAddress, 'sender OK')
}
