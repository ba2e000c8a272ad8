// STATUS (RFC 9051 6.3.11): status = "STATUS" SP mailbox SP "(" status-att *(SP status-att)
// ")". Items: MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE (RFC 9051, RFC 8438), RECENT
// (RFC 3501), HIGHESTMODSEQ (RFC 7162 3.1.6).

import type { ArgCursor } from '../arg-cursor.ts'

export const STATUS_ITEMS = [
  'MESSAGES',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'DELETED',
  'SIZE',
  'RECENT',
  'HIGHESTMODSEQ',
] as const

export type StatusItem = (typeof STATUS_ITEMS)[number]

export interface StatusArgs {
  mailbox: string
  /** Upper-cased, without duplicates, in the order asked. */
  items: StatusItem[]
}

export function parse(c: ArgCursor): StatusArgs {
  c.sp()
  const mailbox = c.mailbox()
  c.sp()
  const items = parseStatusItems(c)
  c.expectEnd()
  return { mailbox, items }
}

/** "(" status-att *(SP status-att) ")"; shared with LIST's STATUS return option (RFC 5819). */
export function parseStatusItems(c: ArgCursor): StatusItem[] {
  const items = c.list(
    () => {
      const name = c.keyword('status item')
      const item = STATUS_ITEMS.find((i) => i === name)
      if (item === undefined) throw c.bad(`unknown STATUS item ${name}`)
      return item
    },
    { allowEmpty: false },
  )
  return [...new Set(items)]
}
