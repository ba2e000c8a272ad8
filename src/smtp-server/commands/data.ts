// DATA (RFC 5321 4.1.1.4) and BDAT (RFC 3030 2): start message input. The bytes themselves
// are read by the session's reader and handled in ../message-input.ts.
import type { SmtpCommand } from '../../smtp/command.ts'
import {
  SmtpReplyError,
  C354StartMailInput,
  C503BadSequence,
  C554TransactionFailed,
  Es551InvalidCommand,
  Es510OtherAddress,
} from '../../smtp/codes.ts'
import type { SmtpSession } from '../session.ts'

type Bdat = Extract<SmtpCommand, { kind: 'bdat' }>

export function runDataCommand(session: SmtpSession): void {
  const txn = session.transaction
  if (!txn) throw new SmtpReplyError(C503BadSequence, Es551InvalidCommand, 'need MAIL first')
  // RFC 3030 3: DATA may not follow BDAT in one transaction.
  if (txn.chunks) throw new SmtpReplyError(C503BadSequence, Es551InvalidCommand, 'BDAT in progress')
  if (txn.rcpts.length === 0) {
    // RFC 5321 3.3: no valid recipients: 554 (or 503).
    throw new SmtpReplyError(C554TransactionFailed, Es510OtherAddress, 'no valid recipients')
  }
  session.reply(C354StartMailInput, undefined, 'end data with <CR><LF>.<CR><LF>')
  session.startData()
}

export function runBdatCommand(session: SmtpSession, command: Bdat): void {
  // RFC 3030 2: the chunk is read (and discarded if refused) whatever the state, so that
  // the session stays in step with the client; the state is checked when it has arrived.
  session.startBdat(command.size, command.last)
}
