// GETQUOTA and GETQUOTAROOT (RFC 9208 4.2, 4.3): one quota root, "", for the whole account,
// with the STORAGE resource in units of 1024 octets (RFC 9208 5.1) from the account's storage
// quota. An account without a quota has no quota root.
import { ProtocolNo } from '../../imap/errors.ts'
import { atom, list, mailbox, num, str, untagged } from '../../imap/response.ts'
import type { QuotaUsage } from '../../store/types.ts'
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'
import type { ImapSession } from '../session.ts'

export const getquota: CommandSpec<'getquota'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    const usage = await session.deps.store.mailboxes.quota(session.account().id)
    if (command.args.root !== '' || usage.limitBytes === null) {
      throw new ProtocolNo('NONEXISTENT', 'no such quota root')
    }
    await sendQuota(session, usage)
    return undefined
  },
}

export const getquotaroot: CommandSpec<'getquotaroot'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    const { store } = session.deps
    const accountId = session.account().id
    const box = await store.mailboxes.get(accountId, command.args.mailbox)
    if (box === undefined) throw new ProtocolNo('NONEXISTENT', 'no such mailbox')
    const usage = await store.mailboxes.quota(accountId)
    const name = mailbox(box.name, { isUtf8: session.isUtf8 })
    if (usage.limitBytes === null) {
      await session.send(untagged(atom('QUOTAROOT'), name))
      return undefined
    }
    await session.send(untagged(atom('QUOTAROOT'), name, str('')))
    await sendQuota(session, usage)
    return undefined
  },
}

async function sendQuota(session: ImapSession, usage: QuotaUsage): Promise<void> {
  const limitKb = Math.floor((usage.limitBytes ?? 0) / 1024)
  const usedKb = Math.ceil(usage.usedBytes / 1024)
  await session.send(
    untagged(atom('QUOTA'), str(''), list([atom('STORAGE'), num(usedKb), num(limitKb)])),
  )
}
