// COPY and MOVE, and their UID forms (RFC 9051 6.4.7, 6.4.8, 6.4.9; RFC 6851 MOVE):
// copy = "COPY" SP sequence-set SP mailbox; move = "MOVE" SP sequence-set SP mailbox.

import type { ArgCursor } from '../arg-cursor.ts'
import type { SequenceSet } from '../sequence-set.ts'

export interface CopyArgs {
  /** Message numbers, or UIDs for UID COPY / UID MOVE. */
  sequenceSet: SequenceSet
  mailbox: string
}

export function parse(c: ArgCursor): CopyArgs {
  c.sp()
  const sequenceSet = c.sequenceSet()
  c.sp()
  const mailbox = c.mailbox()
  c.expectEnd()
  return { sequenceSet, mailbox }
}
