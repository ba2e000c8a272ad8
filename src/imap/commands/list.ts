// LIST with LIST-EXTENDED (RFC 9051 6.3.9, RFC 5258 3), LIST-STATUS (RFC 5819) and
// SPECIAL-USE (RFC 6154 5.1), and LSUB (RFC 3501 6.3.9):
//   list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
//   lsub = "LSUB" SP mailbox SP list-mailbox

import type { ArgCursor } from '../arg-cursor.ts'
import { decodeModifiedUtf7 } from '../mailbox-name.ts'
import { parseStatusItems } from './status.ts'
import type { StatusItem } from './status.ts'

export interface ListSelection {
  /** RFC 5258 3.1: SUBSCRIBED. */
  subscribed: boolean
  /** RFC 5258 3.1: REMOTE (no remote mailboxes here: accepted and ignored). */
  remote: boolean
  /** RFC 5258 3.1: RECURSIVEMATCH (never alone). */
  recursiveMatch: boolean
  /** RFC 6154 5.1: SPECIAL-USE selection option. */
  specialUse: boolean
}

export interface ListReturn {
  subscribed: boolean
  children: boolean
  /** RFC 6154 5.1: return the special-use attributes. */
  specialUse: boolean
  /** RFC 5819: STATUS items to return for each listed mailbox. */
  status?: StatusItem[]
}

export interface ListArgs {
  /** The reference name, decoded (RFC 9051 6.3.9). */
  reference: string
  /** One or more patterns with "*" and "%" wildcards, decoded (RFC 5258 3). */
  patterns: string[]
  selection: ListSelection
  returns: ListReturn
  /** Whether the client used any LIST-EXTENDED syntax (the response then is extended). */
  isExtended: boolean
}

export interface LsubArgs {
  reference: string
  pattern: string
}

export function parse(c: ArgCursor): ListArgs {
  c.sp()
  const selection: ListSelection = {
    subscribed: false,
    remote: false,
    recursiveMatch: false,
    specialUse: false,
  }
  let isExtended = false
  if (c.peek() === '(') {
    isExtended = true
    parseSelection(c, selection)
    c.sp()
  }
  const reference = decodeName(c, c.astring('reference'))
  c.sp()
  let patterns: string[]
  if (c.peek() === '(') {
    isExtended = true
    patterns = c.list(() => decodeName(c, c.listMailbox()), { allowEmpty: false })
  } else {
    patterns = [decodeName(c, c.listMailbox())]
  }
  const returns: ListReturn = { subscribed: false, children: false, specialUse: false }
  if (!c.isAtEnd()) {
    isExtended = true
    c.sp()
    c.expect('RETURN', 'RETURN')
    c.sp()
    parseReturn(c, returns)
  }
  c.expectEnd()
  return { reference, patterns, selection, returns, isExtended }
}

export function parseLsub(c: ArgCursor): LsubArgs {
  c.sp()
  const reference = decodeName(c, c.astring('reference'))
  c.sp()
  const pattern = decodeName(c, c.listMailbox())
  c.expectEnd()
  return { reference, pattern }
}

function decodeName(c: ArgCursor, wire: string): string {
  return c.ctx.isUtf8Enabled ? wire : decodeModifiedUtf7(wire)
}

function parseSelection(c: ArgCursor, sel: ListSelection): void {
  c.list(
    () => {
      const name = c.keyword('selection option')
      if (name === 'SUBSCRIBED') sel.subscribed = true
      else if (name === 'REMOTE') sel.remote = true
      else if (name === 'RECURSIVEMATCH') sel.recursiveMatch = true
      else if (name === 'SPECIAL-USE') sel.specialUse = true
      else throw c.bad(`unknown LIST selection option ${name}`)
    },
    { allowEmpty: true },
  )
  // RFC 5258 3.1: RECURSIVEMATCH needs another option it modifies.
  if (sel.recursiveMatch && !sel.subscribed && !sel.specialUse) {
    throw c.bad('RECURSIVEMATCH needs SUBSCRIBED')
  }
}

function parseReturn(c: ArgCursor, ret: ListReturn): void {
  c.list(
    () => {
      const name = c.keyword('return option')
      if (name === 'SUBSCRIBED') ret.subscribed = true
      else if (name === 'CHILDREN') ret.children = true
      else if (name === 'SPECIAL-USE') ret.specialUse = true
      else if (name === 'STATUS') {
        c.sp()
        ret.status = parseStatusItems(c) // RFC 5819 2
      } else throw c.bad(`unknown LIST return option ${name}`)
    },
    { allowEmpty: true },
  )
}
