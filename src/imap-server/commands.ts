// The IMAP dispatch table (RFC 9051 6): every command the parser knows, with the states it is
// allowed in and its handler, one module per command under ./commands/ (the same names as
// src/imap/commands/). The session (./session.ts) checks the state, runs, and answers.
import type { CommandTable } from './command-spec.ts'
import { append } from './commands/append.ts'
import { authenticate } from './commands/authenticate.ts'
import { capability } from './commands/capability.ts'
import { close, unselect } from './commands/close.ts'
import { copy, move, uidCopy, uidMove } from './commands/copy.ts'
import { create } from './commands/create.ts'
import { del } from './commands/delete.ts'
import { enable } from './commands/enable.ts'
import { expunge, uidExpunge } from './commands/expunge.ts'
import { fetch, uidFetch } from './commands/fetch.ts'
import { id } from './commands/id.ts'
import { idle } from './commands/idle.ts'
import { list, lsub } from './commands/list.ts'
import { login } from './commands/login.ts'
import { logout } from './commands/logout.ts'
import { namespace } from './commands/namespace.ts'
import { check, noop } from './commands/noop.ts'
import { getquota, getquotaroot } from './commands/quota.ts'
import { rename } from './commands/rename.ts'
import { search, uidSearch } from './commands/search.ts'
import { examine, select } from './commands/select.ts'
import { sort, uidSort } from './commands/sort.ts'
import { thread, uidThread } from './commands/thread.ts'
import { starttls } from './commands/starttls.ts'
import { status } from './commands/status.ts'
import { store, uidStore } from './commands/store.ts'
import { subscribe, unsubscribe } from './commands/subscribe.ts'

export const commandTable: CommandTable = {
  capability,
  noop,
  logout,
  starttls,
  authenticate,
  login,
  enable,
  id,
  select,
  examine,
  create,
  delete: del,
  rename,
  subscribe,
  unsubscribe,
  list,
  lsub,
  namespace,
  status,
  append,
  idle,
  check,
  close,
  unselect,
  expunge,
  search,
  fetch,
  store,
  copy,
  move,
  getquota,
  getquotaroot,
  sort,
  thread,
  'uid-expunge': uidExpunge,
  'uid-search': uidSearch,
  'uid-fetch': uidFetch,
  'uid-store': uidStore,
  'uid-copy': uidCopy,
  'uid-move': uidMove,
  'uid-sort': uidSort,
  'uid-thread': uidThread,
}
