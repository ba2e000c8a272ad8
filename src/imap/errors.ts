// IMAP protocol errors (RFC 9051 7.1): thrown at any depth by the parser and by command
// handlers, and turned into a tagged BAD or NO in exactly one place, the session's dispatcher.
//
//   throw new ProtocolBad('missing mailbox name')          ->  A1 BAD missing mailbox name
//   throw new ProtocolNo('TRYCREATE', 'no such mailbox')   ->  A1 NO [TRYCREATE] no such mailbox
//
// Codes are response codes (RFC 9051 7.1, and the extensions' own) built with response.ts's
// `code` helpers or given by name when they take no arguments.

import type { ResponseCode } from './response.ts'

/** A response code given by name alone (`'TRYCREATE'`) or built with `code.*` helpers. */
export type ResponseCodeLike = ResponseCode | string

/** Syntax error or a command not valid here: the session answers tagged BAD (RFC 9051 7.1.3). */
export class ProtocolBad extends Error {
  override readonly name = 'ProtocolBad'
  readonly code: ResponseCodeLike | undefined

  constructor(text: string, options?: { code?: ResponseCodeLike; cause?: unknown }) {
    super(text, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = options?.code
  }
}

/** Well-formed but refused (no such mailbox, over quota...): tagged NO (RFC 9051 7.1.2). */
export class ProtocolNo extends Error {
  override readonly name = 'ProtocolNo'
  readonly code: ResponseCodeLike | undefined

  constructor(code: ResponseCodeLike | undefined, text: string, options?: { cause?: unknown }) {
    super(text, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }
}
