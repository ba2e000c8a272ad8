// SORT and THREAD (RFC 5256) are parsed by src/imap but not implemented: they are not
// advertised in CAPABILITY, and a client that sends them anyway gets BAD.
import { ProtocolBad } from '../../imap/errors.ts'
import { SELECTED, type CommandSpec } from '../command-spec.ts'

const notSupported = (): never => {
  throw new ProtocolBad('SORT and THREAD are not supported')
}

export const sort: CommandSpec<'sort'> = { states: SELECTED, run: notSupported }
export const uidSort: CommandSpec<'uid-sort'> = { states: SELECTED, run: notSupported }
export const thread: CommandSpec<'thread'> = { states: SELECTED, run: notSupported }
export const uidThread: CommandSpec<'uid-thread'> = { states: SELECTED, run: notSupported }
