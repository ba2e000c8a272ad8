// STORE and UID STORE (RFC 9051 6.4.6) with UNCHANGEDSINCE (RFC 7162 3.1.3):
//   store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
//   store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))

import type { ArgCursor } from '../arg-cursor.ts'
import type { SequenceSet } from '../sequence-set.ts'

export interface StoreArgs {
  sequenceSet: SequenceSet
  /** "replace" for FLAGS, "add" for +FLAGS, "remove" for -FLAGS. */
  operation: 'replace' | 'add' | 'remove'
  /** .SILENT: no untagged FETCH for this session's own change (RFC 9051 6.4.6). */
  isSilent: boolean
  /** System flags in canonical case, no duplicates. */
  flags: string[]
  /** RFC 7162 3.1.3: only change messages whose mod-sequence is not above this. */
  unchangedSince?: bigint
}

export function parse(c: ArgCursor): StoreArgs {
  c.sp()
  const sequenceSet = c.sequenceSet()
  c.sp()
  let unchangedSince: bigint | undefined
  if (c.peek() === '(') {
    // RFC 7162 3.1.3 / RFC 4466 2.5: store-modifiers; UNCHANGEDSINCE is the one we know.
    c.list(
      () => {
        const name = c.keyword('store modifier')
        if (name !== 'UNCHANGEDSINCE') throw c.bad(`unknown STORE modifier ${name}`)
        c.sp()
        unchangedSince = c.number64('mod-sequence') // RFC 7162 7: mod-sequence-valzer
      },
      { allowEmpty: false },
    )
    c.sp()
  }
  const operation = c.take('+') ? 'add' : c.take('-') ? 'remove' : 'replace'
  c.expect('FLAGS', 'FLAGS')
  const isSilent = c.take('.SILENT')
  c.sp()
  let flags: string[]
  if (c.peek() === '(') {
    flags = c.flagList()
  } else {
    flags = [c.flag()]
    while (c.take(' ')) flags.push(c.flag())
  }
  c.expectEnd()
  const args: StoreArgs = { sequenceSet, operation, isSilent, flags: [...new Set(flags)] }
  if (unchangedSince !== undefined) args.unchangedSince = unchangedSince
  return args
}
