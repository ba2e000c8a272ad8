// APPEND (RFC 9051 6.3.12) with UIDPLUS's [APPENDUID] (RFC 4315 3), APPENDLIMIT (RFC 7889:
// a larger literal is refused by the reader before it is read, [TOOBIG]), BINARY literal8
// (RFC 3516 4.4) and UTF8 (RFC 6855 4). The message is on disk before the OK; appending to
// the selected mailbox is then reported with EXISTS like any other new message.
import { ProtocolNo } from '../../imap/errors.ts'
import { code } from '../../imap/response.ts'
import { isStoreError } from '../../store/store-error.ts'
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'

export const append: CommandSpec<'append'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    const args = command.args
    if (args.message.length === 0) throw new ProtocolNo('CANNOT', 'empty message')
    try {
      const result = await session.deps.store.messages.append({
        accountId: session.account().id,
        mailbox: args.mailbox,
        raw: args.message,
        flags: args.flags,
        ...(args.internalDate === undefined ? {} : { internalDate: args.internalDate.getTime() }),
      })
      return { code: code.appendUid(result.uidValidity, String(result.uid)) }
    } catch (err) {
      // RFC 9051 6.3.12: a missing target mailbox is [TRYCREATE].
      if (isStoreError(err, 'mailbox-not-found'))
        throw new ProtocolNo('TRYCREATE', 'no such mailbox')
      throw err
    }
  },
}
