// SUBSCRIBE and UNSUBSCRIBE (RFC 9051 6.3.7, 6.3.8): the account's subscription list; names
// need not exist (RFC 9051 6.3.7).
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'

export const subscribe: CommandSpec<'subscribe'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    await session.deps.store.mailboxes.subscribe(session.account().id, command.args.mailbox)
    return undefined
  },
}

export const unsubscribe: CommandSpec<'unsubscribe'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    await session.deps.store.mailboxes.unsubscribe(session.account().id, command.args.mailbox)
    return undefined
  },
}
