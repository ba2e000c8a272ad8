// QUIT and NOOP (RFC 1939 5, 6). QUIT in TRANSACTION enters the UPDATE state: the messages
// marked by DELE are removed in one store transaction, durable before "+OK" is sent; if
// that fails, "-ERR [SYS/TEMP]" and nothing is removed. The maildrop lock is released only
// after the removal has finished, so the next session cannot see a half-updated maildrop.
import { Pop3Error, RespSysTemp } from '../../pop3/codes.ts'
import { formatOk } from '../../pop3/response.ts'
import type { Pop3Session } from '../session.ts'

export function runNoop(session: Pop3Session): void {
  session.write(formatOk(''))
}

export async function runQuit(session: Pop3Session): Promise<void> {
  const { state, deps } = session
  const signOff = `${deps.settings.hostname} Postern POP3 server signing off`
  if (state.kind !== 'transaction') {
    session.write(formatOk(signOff))
    session.quit()
    return
  }
  session.state = { kind: 'update' }
  const uids = state.maildrop.messages.filter((m) => state.deleted.has(m.msg)).map((m) => m.uid)
  try {
    const removed =
      uids.length === 0 ? [] : await deps.store.messages.expunge(state.maildrop.mailboxId, uids)
    deps.metrics.pop3MessagesDeleted.inc(removed.length)
    if (removed.length > 0) {
      deps.logger.info({ event: 'pop3.deleted', count: removed.length, ...session.logFields() })
    }
    const left = state.maildrop.messages.length - state.deleted.size
    session.write(formatOk(`${signOff} (${left} messages left)`))
  } catch (err) {
    deps.logger.error({ event: 'pop3.session-error', err, ...session.logFields() })
    // RFC 1939 6: "-ERR some deleted messages not removed".
    throw new Pop3Error(RespSysTemp, 'deleted messages not removed', { closes: true, cause: err })
  } finally {
    state.unlock()
  }
  session.quit()
}
