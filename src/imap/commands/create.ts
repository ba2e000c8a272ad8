// CREATE (RFC 9051 6.3.4) with CREATE-SPECIAL-USE (RFC 6154 3):
// create = "CREATE" SP mailbox [create-params]; create-param =/ "USE" SP "(" [use-attr
// *(SP use-attr)] ")".

import type { ArgCursor } from '../arg-cursor.ts'

export interface CreateArgs {
  mailbox: string
  /** RFC 6154 3: special-use attributes asked for, e.g. ["\\Sent"], canonical case. */
  specialUse: string[]
}

/** RFC 6154 2 / RFC 9051 7.3.1: the special-use attributes, in canonical case. */
export const SPECIAL_USE_ATTRIBUTES = [
  '\\All',
  '\\Archive',
  '\\Drafts',
  '\\Flagged',
  '\\Junk',
  '\\Sent',
  '\\Trash',
]

export function parse(c: ArgCursor): CreateArgs {
  c.sp()
  const mailbox = c.mailbox()
  const specialUse: string[] = []
  if (!c.isAtEnd()) {
    c.sp()
    c.list(
      () => {
        const name = c.keyword('create parameter')
        if (name !== 'USE') throw c.bad(`unknown CREATE parameter ${name}`)
        c.sp()
        specialUse.push(...c.list(() => useAttr(c), { allowEmpty: true }))
      },
      { allowEmpty: false },
    )
  }
  c.expectEnd()
  return { mailbox, specialUse }
}

/** RFC 6154 6: use-attr = "\All" / "\Archive" / ... / use-attr-ext ("\" atom). */
function useAttr(c: ArgCursor): string {
  c.expect('\\', 'special-use attribute')
  const name = '\\' + c.atom('special-use attribute')
  return SPECIAL_USE_ATTRIBUTES.find((a) => a.toUpperCase() === name.toUpperCase()) ?? name
}
