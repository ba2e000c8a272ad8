// The POP3 dispatch table: for every command the parser knows, which session states allow
// it (RFC 1939 3: AUTHORIZATION, TRANSACTION) and what it does. Each command or small
// family of commands lives in its own module under ./commands/.
import type { Pop3Command } from '../pop3/command.ts'
import type { Pop3StateKind } from './session-state.ts'
import type { Pop3Session } from './session.ts'
import { runAuth, runPass, runUser } from './commands/auth.ts'
import { runCapa } from './commands/capa.ts'
import { runStls, runUtf8 } from './commands/stls.ts'
import { runList, runStat, runUidl } from './commands/listing.ts'
import { runRetr, runTop } from './commands/retr.ts'
import { runDele, runRset } from './commands/dele.ts'
import { runNoop, runQuit } from './commands/quit.ts'

type Kind = Pop3Command['kind']
type CommandOf<K extends Kind> = Extract<Pop3Command, { kind: K }>

export interface CommandSpec<K extends Kind> {
  states: readonly Pop3StateKind[]
  run: (session: Pop3Session, command: CommandOf<K>) => Promise<void> | void
}

const AUTHORIZATION = ['authorization'] as const
const TRANSACTION = ['transaction'] as const
const BOTH = ['authorization', 'transaction'] as const

export const commandTable: { [K in Kind]: CommandSpec<K> } = {
  user: { states: AUTHORIZATION, run: runUser },
  pass: { states: AUTHORIZATION, run: runPass },
  auth: { states: AUTHORIZATION, run: runAuth },
  stls: { states: AUTHORIZATION, run: runStls },
  utf8: { states: AUTHORIZATION, run: runUtf8 },
  capa: { states: BOTH, run: runCapa },
  quit: { states: BOTH, run: runQuit },
  noop: { states: TRANSACTION, run: runNoop },
  stat: { states: TRANSACTION, run: runStat },
  list: { states: TRANSACTION, run: runList },
  uidl: { states: TRANSACTION, run: runUidl },
  retr: { states: TRANSACTION, run: runRetr },
  top: { states: TRANSACTION, run: runTop },
  dele: { states: TRANSACTION, run: runDele },
  rset: { states: TRANSACTION, run: runRset },
}

/** Upper-case keywords of the table (for bounded metric labels). */
export const KNOWN_KEYWORDS = new Set(Object.keys(commandTable).map((k) => k.toUpperCase()))
