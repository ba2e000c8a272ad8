// UID EXPUNGE (RFC 9051 6.4.9, RFC 4315 2.1): "UID EXPUNGE" SP sequence-set. Plain EXPUNGE
// takes no arguments (no-arguments.ts).

import type { ArgCursor } from '../arg-cursor.ts'
import type { SequenceSet } from '../sequence-set.ts'

export interface UidExpungeArgs {
  /** UIDs to expunge (only those also marked \Deleted). */
  sequenceSet: SequenceSet
}

export function parse(c: ArgCursor): UidExpungeArgs {
  c.sp()
  const sequenceSet = c.sequenceSet()
  c.expectEnd()
  return { sequenceSet }
}
