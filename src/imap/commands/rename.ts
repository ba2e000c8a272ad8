// RENAME (RFC 9051 6.3.6): rename = "RENAME" SP mailbox SP mailbox.

import type { ArgCursor } from '../arg-cursor.ts'

export interface RenameArgs {
  from: string
  to: string
}

export function parse(c: ArgCursor): RenameArgs {
  c.sp()
  const from = c.mailbox()
  c.sp()
  const to = c.mailbox()
  c.expectEnd()
  return { from, to }
}
