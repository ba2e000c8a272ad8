// DELETE (RFC 9051 6.3.5): delete = "DELETE" SP mailbox. SUBSCRIBE and UNSUBSCRIBE have the
// same shape (subscribe.ts).

import type { ArgCursor } from '../arg-cursor.ts'

export interface MailboxArgs {
  mailbox: string
}

export function parse(c: ArgCursor): MailboxArgs {
  c.sp()
  const mailbox = c.mailbox()
  c.expectEnd()
  return { mailbox }
}
