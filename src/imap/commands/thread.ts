// THREAD and UID THREAD (RFC 5256 3):
//   thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
//   thread-alg = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext

import type { ArgCursor } from '../arg-cursor.ts'
import { parseSearchCriteria } from './search.ts'
import type { SearchKey } from './search.ts'

export interface ThreadArgs {
  algorithm: 'ORDEREDSUBJECT' | 'REFERENCES'
  charset: string
  search: SearchKey
}

export function parse(c: ArgCursor): ThreadArgs {
  c.sp()
  const algorithm = c.keyword('thread algorithm')
  if (algorithm !== 'ORDEREDSUBJECT' && algorithm !== 'REFERENCES') {
    throw c.bad(`unknown thread algorithm ${algorithm}`)
  }
  c.sp()
  const { charset, criteria: search } = parseSearchCriteria(c, { isCharsetRequired: true })
  c.expectEnd()
  return { algorithm, charset, search }
}
