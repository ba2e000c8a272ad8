// RETR and TOP (RFC 1939 7): a message, or its header and the first n body lines, sent as a
// multi-line response, read from the store in pieces and streamed (byte-stuffed) to the
// socket. The body is found by mailbox and UID: if another session (IMAP) expunged it, the
// answer is "-ERR" (RFC 1939 leaves this to the server), never another message's bytes.
import type { Pop3Command } from '../../pop3/command.ts'
import { Pop3Error } from '../../pop3/codes.ts'
import { TopCutter } from '../../pop3/top-cutter.ts'
import type { Store } from '../../store/types.ts'
import type { Pop3Session } from '../session.ts'
import { liveMessage } from './listing.ts'

/** Bytes read from the store at a time; the most a RETR holds in memory at once. */
export const BODY_PIECE_BYTES = 1024 * 1024

interface BodyRef {
  mailboxId: number
  uid: number
}

/** Raised when a message vanishes while its body is being sent. */
class MessageGoneError extends Error {
  constructor(ref: BodyRef) {
    super(`message uid ${ref.uid} of mailbox ${ref.mailboxId} was removed while being sent`)
    this.name = 'MessageGoneError'
  }
}

/** The body's pieces, starting with `first`, until the store returns an empty piece. */
async function* bodyPieces(store: Store, ref: BodyRef, first: Buffer): AsyncGenerator<Buffer> {
  let offset = 0
  let piece: Buffer | undefined = first
  while (piece !== undefined && piece.length > 0) {
    yield piece
    offset += piece.length
    if (piece.length < BODY_PIECE_BYTES) return
    piece = await store.messages.readBody({ ...ref, offset, length: BODY_PIECE_BYTES })
  }
  if (piece === undefined) throw new MessageGoneError(ref)
}

/** The first piece, or "-ERR" when the message has been expunged since login. */
async function firstPiece(session: Pop3Session, ref: BodyRef, msg: number): Promise<Buffer> {
  const first = await session.deps.store.messages.readBody({
    ...ref,
    offset: 0,
    length: BODY_PIECE_BYTES,
  })
  if (first === undefined) {
    session.deps.logger.info({ event: 'pop3.message-gone', uid: ref.uid, ...session.logFields() })
    throw new Pop3Error(undefined, `message ${msg} was removed by another client`)
  }
  return first
}

export async function runRetr(
  session: Pop3Session,
  command: Extract<Pop3Command, { kind: 'retr' }>,
): Promise<void> {
  const state = session.transaction()
  const m = liveMessage(state, command.msg)
  const ref = { mailboxId: state.maildrop.mailboxId, uid: m.uid }
  const first = await firstPiece(session, ref, m.msg)
  await session.sendMultiline(`${m.size} octets`, bodyPieces(session.deps.store, ref, first))
  session.retrieved++
  session.deps.metrics.pop3MessagesRetrieved.inc()
  session.deps.metrics.pop3BytesSent.inc(m.size)
}

export async function runTop(
  session: Pop3Session,
  command: Extract<Pop3Command, { kind: 'top' }>,
): Promise<void> {
  const state = session.transaction()
  const m = liveMessage(state, command.msg)
  const ref = { mailboxId: state.maildrop.mailboxId, uid: m.uid }
  const first = await firstPiece(session, ref, m.msg)
  const cutter = new TopCutter(command.lines)
  async function* cut(): AsyncGenerator<Buffer> {
    for await (const piece of bodyPieces(session.deps.store, ref, first)) {
      yield cutter.push(piece)
      if (cutter.isDone) return
    }
  }
  await session.sendMultiline('top of message follows', cut())
}
