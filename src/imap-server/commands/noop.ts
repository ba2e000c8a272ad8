// NOOP (RFC 9051 6.1.2) and CHECK (RFC 3501 6.4.1, gone from IMAP4rev2 but still sent by
// IMAP4rev1 clients): nothing to do; the dispatcher sends the queued mailbox updates (RFC 9051
// 6.1.2: NOOP is the way to poll for them). Every write is already durable, so CHECK has no
// checkpoint to make.
import { ANY, SELECTED, type CommandSpec } from '../command-spec.ts'

export const noop: CommandSpec<'noop'> = {
  states: ANY,
  run: () => undefined,
}

export const check: CommandSpec<'check'> = {
  states: SELECTED,
  run: () => undefined,
}
