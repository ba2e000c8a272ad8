// IMAP command parser (RFC 9051 9 "command", RFC 3501 9): turns one command from the reader
// into a typed ImapCommand, `{ tag, name, isUid, args }`, a union keyed by the command name,
// or throws ProtocolBad (ProtocolNo only for SEARCH's BADCHARSET). Pure: the session passes
// in what it has enabled (ParseContext); it decides itself whether the command is allowed in
// its state. Names are kebab-case; UID forms are their own names ("uid-fetch"), with the same
// args as the plain form and isUid set (RFC 9051 6.4.9).

import { ArgCursor } from './arg-cursor.ts'
import type { ParseContext } from './arg-cursor.ts'
import { ProtocolBad } from './errors.ts'
import type { RawCommand } from './reader.ts'
import * as append from './commands/append.ts'
import * as authenticate from './commands/authenticate.ts'
import * as copy from './commands/copy.ts'
import * as create from './commands/create.ts'
import * as del from './commands/delete.ts'
import * as enable from './commands/enable.ts'
import * as expunge from './commands/expunge.ts'
import * as fetch from './commands/fetch.ts'
import * as id from './commands/id.ts'
import * as list from './commands/list.ts'
import * as login from './commands/login.ts'
import * as noArguments from './commands/no-arguments.ts'
import * as quota from './commands/quota.ts'
import * as rename from './commands/rename.ts'
import * as search from './commands/search.ts'
import * as select from './commands/select.ts'
import * as sort from './commands/sort.ts'
import * as status from './commands/status.ts'
import * as store from './commands/store.ts'
import * as subscribe from './commands/subscribe.ts'
import * as thread from './commands/thread.ts'

export type { ParseContext } from './arg-cursor.ts'

/** Every command's parser; the key is the command name as the union and dispatcher use it. */
const PARSERS = {
  capability: noArguments.parse,
  noop: noArguments.parse,
  logout: noArguments.parse,
  starttls: noArguments.parse,
  authenticate: authenticate.parse,
  login: login.parse,
  enable: enable.parse,
  id: id.parse,
  select: select.parse,
  examine: select.parse,
  create: create.parse,
  delete: del.parse,
  rename: rename.parse,
  subscribe: subscribe.parse,
  unsubscribe: subscribe.parse,
  list: list.parse,
  lsub: list.parseLsub,
  namespace: noArguments.parse,
  status: status.parse,
  append: append.parse,
  idle: noArguments.parse,
  check: noArguments.parse,
  close: noArguments.parse,
  unselect: noArguments.parse,
  expunge: noArguments.parse,
  search: search.parse,
  fetch: fetch.parse,
  store: store.parse,
  copy: copy.parse,
  move: copy.parse,
  getquota: quota.parseGetQuota,
  getquotaroot: quota.parseGetQuotaRoot,
  sort: sort.parse,
  thread: thread.parse,
  'uid-expunge': expunge.parse,
  'uid-search': search.parse,
  'uid-fetch': fetch.parse,
  'uid-store': store.parse,
  'uid-copy': copy.parse,
  'uid-move': copy.parse,
  'uid-sort': sort.parse,
  'uid-thread': thread.parse,
} as const

export type CommandName = keyof typeof PARSERS

/** The typed arguments of each command. */
export type CommandArgs = { [K in CommandName]: ReturnType<(typeof PARSERS)[K]> }

/** A parsed command: narrow on `name` to get its `args`. */
export type ImapCommand = {
  [K in CommandName]: { tag: string; name: K; isUid: boolean; args: CommandArgs[K] }
}[CommandName]

/** RFC 9051 9: commands that "UID" may prefix (with UID EXPUNGE from RFC 4315, and SORT/THREAD). */
const UID_COMMANDS = new Set([
  'COPY',
  'MOVE',
  'FETCH',
  'SEARCH',
  'STORE',
  'EXPUNGE',
  'SORT',
  'THREAD',
])

// RFC 9051 9: tag = 1*<any ASTRING-CHAR except "+">
// eslint-disable-next-line no-control-regex
const TAG_RE = /^[^\x00-\x20\x7f-\uffff(){%*"\\+]+$/

/** True when `name` is a command this parser knows. */
export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(PARSERS, name)
}

/**
 * Parses one command. Throws ProtocolBad for a bad tag, an unknown command or bad
 * arguments; the session answers `tag BAD text` (or `* BAD` when raw.tag is undefined).
 */
export function parseCommand(raw: RawCommand, ctx: ParseContext): ImapCommand {
  if (raw.hasInvalidUtf8) throw new ProtocolBad('command is not valid UTF-8')
  const c = new ArgCursor(raw.parts, ctx)
  const tag = c.until(' ')
  if (!TAG_RE.test(tag)) throw new ProtocolBad('bad tag')
  c.sp()
  let word = c.until(' ').toUpperCase()
  let name = word.toLowerCase()
  if (word === 'UID') {
    c.sp()
    word = c.until(' ').toUpperCase()
    if (!UID_COMMANDS.has(word)) throw new ProtocolBad(`UID ${word} is not a command`)
    name = `uid-${word.toLowerCase()}`
    c.isUid = true
  }
  if (!isCommandName(name)) throw new ProtocolBad(`unknown command ${word}`)
  return build(tag, name, c)
}

function build(tag: string, name: CommandName, c: ArgCursor): ImapCommand {
  // The table pairs each name with its parser, so args match name by construction.
  const parse = PARSERS[name] as (c: ArgCursor) => unknown
  return { tag, name, isUid: c.isUid, args: parse(c) } as ImapCommand
}
