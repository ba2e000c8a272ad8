// ID (RFC 2971 3.1): id = "ID" SP id-params-list;
// id-params-list = "(" *(string SP nstring) ")" / nil. At most 30 pairs (RFC 2971 3.3).

import type { ArgCursor } from '../arg-cursor.ts'

export interface IdArgs {
  /** The client's field/value pairs (field names as sent), or null for NIL. */
  params: [string, string | null][] | null
}

const MAX_PAIRS = 30 // RFC 2971 3.3
const MAX_FIELD = 30 // RFC 2971 3.3: field strings at most 30 octets
const MAX_VALUE = 1024 // RFC 2971 3.3: value strings at most 1024 octets

export function parse(c: ArgCursor): IdArgs {
  c.sp()
  if (c.take('NIL')) {
    c.expectEnd()
    return { params: null }
  }
  c.expect('(')
  const params: [string, string | null][] = []
  while (!c.take(')')) {
    if (params.length > 0) c.sp()
    const field = c.string('field name')
    c.sp()
    const value = c.nstring()
    if (field.length > MAX_FIELD || (value?.length ?? 0) > MAX_VALUE) throw c.bad('ID too long')
    params.push([field, value])
    if (params.length > MAX_PAIRS) throw c.bad('too many ID fields')
  }
  c.expectEnd()
  return { params }
}
