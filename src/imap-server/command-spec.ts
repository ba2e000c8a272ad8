// The shape of one entry of the IMAP dispatch table (./commands.ts): the states a command is
// allowed in (RFC 9051 3, 6) and its handler. Parsing is done by src/imap/parser.ts; the
// session checks the state, awaits run, maps typed errors and writes the completion.
import type { CommandName, ImapCommand } from '../imap/parser.ts'
import type { ResponseCodeLike } from '../imap/errors.ts'
import type { ImapSession } from './session.ts'
import type { ImapStateKind } from './session-state.ts'

export type CommandOf<K extends CommandName> = Extract<ImapCommand, { name: K }>

/** What a handler may say about its tagged OK; nothing means "NAME completed". */
export interface CommandResult {
  text?: string
  code?: ResponseCodeLike
  /** IDLE and AUTHENTICATE without an initial response: completed later by the session. */
  isDeferred?: boolean
}

export interface CommandSpec<K extends CommandName> {
  states: readonly ImapStateKind[]
  /**
   * RFC 9051 7.4.1: whether queued EXPUNGE responses may be sent when it completes; false
   * for FETCH, STORE and SEARCH (not their UID forms), which rely on stable numbers.
   */
  canExpunge?: boolean
  run(
    session: ImapSession,
    command: CommandOf<K>,
  ): Promise<CommandResult | undefined> | CommandResult | undefined
}

export type CommandTable = { [K in CommandName]: CommandSpec<K> }

export const ANY: readonly ImapStateKind[] = ['not-authenticated', 'authenticated', 'selected']
export const NOT_AUTHENTICATED: readonly ImapStateKind[] = ['not-authenticated']
export const AUTHENTICATED: readonly ImapStateKind[] = ['authenticated', 'selected']
export const SELECTED: readonly ImapStateKind[] = ['selected']
