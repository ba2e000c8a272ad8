// SORT and UID SORT (RFC 5256 3, with DISPLAYFROM/DISPLAYTO from RFC 5957):
//   sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria
//   sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"
//   sort-criterion = ["REVERSE" SP] sort-key

import type { ArgCursor } from '../arg-cursor.ts'
import { parseSearchCriteria } from './search.ts'
import type { SearchKey } from './search.ts'

export const SORT_KEYS = [
  'ARRIVAL',
  'CC',
  'DATE',
  'FROM',
  'SIZE',
  'SUBJECT',
  'TO',
  'DISPLAYFROM',
  'DISPLAYTO',
] as const

export type SortKey = (typeof SORT_KEYS)[number]

export interface SortArgs {
  criteria: { key: SortKey; isReverse: boolean }[]
  charset: string
  search: SearchKey
}

export function parse(c: ArgCursor): SortArgs {
  c.sp()
  const criteria = c.list(
    () => {
      const isReverse = c.take('REVERSE ')
      const name = c.keyword('sort key')
      const key = SORT_KEYS.find((k) => k === name)
      if (key === undefined) throw c.bad(`unknown sort key ${name}`)
      return { key, isReverse }
    },
    { allowEmpty: false },
  )
  c.sp()
  const { charset, criteria: search } = parseSearchCriteria(c, { isCharsetRequired: true })
  c.expectEnd()
  return { criteria, charset, search }
}
