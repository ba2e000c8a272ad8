// ENABLE (RFC 9051 6.3.1, RFC 5161): enable = "ENABLE" 1*(SP capability).

import type { ArgCursor } from '../arg-cursor.ts'

export interface EnableArgs {
  /** Upper-cased capability names, in the order given (e.g. "CONDSTORE", "UTF8=ACCEPT"). */
  capabilities: string[]
}

export function parse(c: ArgCursor): EnableArgs {
  const capabilities: string[] = []
  do {
    c.sp()
    capabilities.push(c.keyword('capability')) // RFC 9051 9: capability = atom
  } while (!c.isAtEnd())
  return { capabilities }
}
