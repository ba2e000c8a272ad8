// POP3 status indicators (RFC 1939 3) and extended response codes (RFC 2449 8, RFC 3206,
// RFC 6856), and the typed Pop3Error thrown anywhere in a session and turned into a
// "-ERR [CODE] text" line in one place (the session's dispatcher).

// RFC 1939 3: every response starts with a status indicator.
export const StatusOk = '+OK'
export const StatusErr = '-ERR'
// RFC 5034 4: a SASL server challenge, "+" SP base64.
export const StatusContinue = '+'

// RFC 2449 8.1.1: LOGIN-DELAY, the client logs in too often.
export const RespLoginDelay = 'LOGIN-DELAY'
// RFC 2449 8.1.2: IN-USE, the maildrop is locked by another session.
export const RespInUse = 'IN-USE'
// RFC 3206 4: SYS/TEMP, a temporary system problem; SYS/PERM, a permanent one.
export const RespSysTemp = 'SYS/TEMP'
export const RespSysPerm = 'SYS/PERM'
// RFC 3206 5: AUTH, the credentials are the problem (not the system).
export const RespAuth = 'AUTH'
// RFC 6856 3: UTF8, the command needs UTF8 mode first.
export const RespUtf8 = 'UTF8'

export type Pop3ResponseCode =
  | typeof RespLoginDelay
  | typeof RespInUse
  | typeof RespSysTemp
  | typeof RespSysPerm
  | typeof RespAuth
  | typeof RespUtf8

/** Options for Pop3Error beyond the response code and text. */
export interface Pop3ErrorOptions {
  /** The session closes the connection after this response. */
  closes?: boolean
  /** A client mistake (bad command, wrong state, bad argument): counts towards the limit. */
  isBadCommand?: boolean
  cause?: unknown
}

/** A "-ERR" response the session must send, thrown at any depth, mapped in one place. */
export class Pop3Error extends Error {
  readonly code: Pop3ResponseCode | undefined
  readonly text: string
  readonly closes: boolean
  readonly isBadCommand: boolean

  constructor(code: Pop3ResponseCode | undefined, text: string, opts: Pop3ErrorOptions = {}) {
    super(`-ERR ${code === undefined ? '' : `[${code}] `}${text}`, { cause: opts.cause })
    this.name = 'Pop3Error'
    this.code = code
    this.text = text
    this.closes = opts.closes ?? false
    this.isBadCommand = opts.isBadCommand ?? false
  }
}

/** A syntax or sequence error by the client (counts towards the bad-command limit). */
export function badCommand(text: string): Pop3Error {
  return new Pop3Error(undefined, text, { isBadCommand: true })
}
