// SELECT and EXAMINE (RFC 9051 6.3.2, 6.3.3) with the CONDSTORE and QRESYNC parameters
// (RFC 7162 3.1.8, 3.2.5): select = "SELECT" SP mailbox [select-params];
// select-params = SP "(" select-param *(SP select-param) ")" (RFC 4466 2.1).

import type { ArgCursor } from '../arg-cursor.ts'
import type { SequenceSet } from '../sequence-set.ts'

/** RFC 7162 3.2.5: the client's cached state, for resynchronisation on SELECT. */
export interface QresyncParams {
  uidValidity: number
  modSeq: bigint
  /** known-uids: UIDs the client knows (may include ones since expunged). */
  knownUids?: SequenceSet
  /** seq-match-data: message numbers and matching UIDs, to narrow VANISHED. */
  seqMatch?: { sequenceNumbers: SequenceSet; uids: SequenceSet }
}

export interface SelectArgs {
  mailbox: string
  /** RFC 7162 3.1.8: CONDSTORE parameter (enables CONDSTORE). */
  isCondstore: boolean
  /** RFC 7162 3.2.5: QRESYNC parameter (only valid once QRESYNC is enabled: server checks). */
  qresync?: QresyncParams
}

export function parse(c: ArgCursor): SelectArgs {
  c.sp()
  const mailbox = c.mailbox()
  const args: SelectArgs = { mailbox, isCondstore: false }
  if (c.isAtEnd()) return args
  c.sp()
  c.list(
    () => {
      const name = c.keyword('select parameter')
      if (name === 'CONDSTORE') args.isCondstore = true
      else if (name === 'QRESYNC') {
        c.sp()
        args.qresync = parseQresync(c)
      } else throw c.bad(`unknown SELECT parameter ${name}`)
    },
    { allowEmpty: false },
  )
  c.expectEnd()
  return args
}

/**
 * RFC 7162 3.2.5: "(" uidvalidity SP mod-sequence-value [SP known-uids]
 * [SP seq-match-data] ")"; seq-match-data = "(" known-sequence-set SP known-uid-set ")".
 */
function parseQresync(c: ArgCursor): QresyncParams {
  c.expect('(')
  const uidValidity = c.nzNumber('UIDVALIDITY')
  c.sp()
  const modSeq = c.number64('mod-sequence')
  const out: QresyncParams = { uidValidity, modSeq }
  if (c.take(' ') && c.peek() !== '(') {
    out.knownUids = c.sequenceSet()
    if (!c.take(' ')) {
      c.expect(')')
      return out
    }
  }
  if (c.take('(')) {
    const sequenceNumbers = c.sequenceSet()
    c.sp()
    const uids = c.sequenceSet()
    c.expect(')')
    out.seqMatch = { sequenceNumbers, uids }
  }
  c.expect(')')
  return out
}
