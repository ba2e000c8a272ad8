// DELE and RSET (RFC 1939 5): DELE only marks a message; RSET unmarks them all. Nothing is
// removed before QUIT (see ./quit.ts).
import type { Pop3Command } from '../../pop3/command.ts'
import { formatOk } from '../../pop3/response.ts'
import type { Pop3Session } from '../session.ts'
import { liveMessage, maildropSummary } from './listing.ts'

export function runDele(session: Pop3Session, command: Extract<Pop3Command, { kind: 'dele' }>) {
  const state = session.transaction()
  const m = liveMessage(state, command.msg)
  state.deleted.add(m.msg)
  session.write(formatOk(`message ${m.msg} deleted`))
}

export function runRset(session: Pop3Session): void {
  const state = session.transaction()
  state.deleted.clear()
  const { count, octets } = maildropSummary(state)
  session.write(formatOk(`maildrop has ${count} messages (${octets} octets)`))
}
