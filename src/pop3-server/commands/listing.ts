// STAT, LIST and UIDL (RFC 1939 5, 7): the maildrop as snapshotted at login, without the
// messages marked deleted. UIDL (RFC 1939 7) is "UIDVALIDITY.UID": stable across sessions
// and never reused, since UIDs are never reused within a UIDVALIDITY.
import type { Pop3Command } from '../../pop3/command.ts'
import { Pop3Error } from '../../pop3/codes.ts'
import { formatMultiline, formatOk } from '../../pop3/response.ts'
import type { SnapshotMessage, TransactionState } from '../session-state.ts'
import type { Pop3Session } from '../session.ts'

/** The message with this number, not deleted; "-ERR" otherwise (RFC 1939 5). */
export function liveMessage(state: TransactionState, msg: number): SnapshotMessage {
  const m = state.maildrop.messages[msg - 1]
  if (m === undefined) throw new Pop3Error(undefined, 'no such message')
  if (state.deleted.has(msg)) throw new Pop3Error(undefined, `message ${msg} already deleted`)
  return m
}

export function liveMessages(state: TransactionState): SnapshotMessage[] {
  return state.maildrop.messages.filter((m) => !state.deleted.has(m.msg))
}

export function uidlOf(state: TransactionState, m: SnapshotMessage): string {
  return `${state.maildrop.uidValidity}.${m.uid}`
}

/** RFC 1939 5: "+OK nn mm", the count and size of the messages not deleted. */
export function maildropSummary(state: TransactionState): { count: number; octets: number } {
  const live = liveMessages(state)
  return { count: live.length, octets: live.reduce((sum, m) => sum + m.size, 0) }
}

export function runStat(session: Pop3Session): void {
  const { count, octets } = maildropSummary(session.transaction())
  session.write(formatOk(`${count} ${octets}`)) // RFC 1939 5: exactly "+OK nn mm"
}

export function runList(session: Pop3Session, command: Extract<Pop3Command, { kind: 'list' }>) {
  const state = session.transaction()
  if (command.msg !== undefined) {
    const m = liveMessage(state, command.msg)
    session.write(formatOk(`${m.msg} ${m.size}`))
    return
  }
  const { count, octets } = maildropSummary(state)
  const lines = liveMessages(state).map((m) => `${m.msg} ${m.size}`)
  session.write(formatMultiline(`${count} messages (${octets} octets)`, lines))
}

export function runUidl(session: Pop3Session, command: Extract<Pop3Command, { kind: 'uidl' }>) {
  const state = session.transaction()
  if (command.msg !== undefined) {
    const m = liveMessage(state, command.msg)
    session.write(formatOk(`${m.msg} ${uidlOf(state, m)}`))
    return
  }
  const lines = liveMessages(state).map((m) => `${m.msg} ${uidlOf(state, m)}`)
  session.write(formatMultiline('unique-id listing follows', lines))
}
