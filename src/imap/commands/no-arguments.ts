// Commands without arguments (RFC 9051 6.1.1 CAPABILITY, 6.1.2 NOOP, 6.1.3 LOGOUT, 6.2.1
// STARTTLS, 6.3.11 IDLE (RFC 2177), 6.3.10 NAMESPACE (RFC 2342), 6.4.1 CLOSE, 6.4.2 UNSELECT
// (RFC 3691), 6.4.3 EXPUNGE, and RFC 3501 6.4.1 CHECK, which IMAP4rev2 dropped but
// IMAP4rev1 clients still send).

import type { ArgCursor } from '../arg-cursor.ts'

export type NoArguments = Record<string, never>

/** RFC 9051 9: e.g. command-any = "CAPABILITY" / "LOGOUT" / "NOOP": nothing may follow. */
export function parse(c: ArgCursor): NoArguments {
  c.expectEnd()
  return {}
}
