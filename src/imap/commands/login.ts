// LOGIN (RFC 9051 6.2.3): login = "LOGIN" SP userid SP password; both are astrings.

import type { ArgCursor } from '../arg-cursor.ts'

export interface LoginArgs {
  username: string
  password: string
}

export function parse(c: ArgCursor): LoginArgs {
  c.sp()
  const username = c.astring('user name') // RFC 9051 9: userid = astring
  c.sp()
  const password = c.astring('password') // RFC 9051 9: password = astring
  c.expectEnd()
  return { username, password }
}
