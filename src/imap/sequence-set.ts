// IMAP sequence sets (RFC 9051 9 "sequence-set", RFC 5182 "$" saved search result): the
// typed value the parser produces, and helpers the server uses to resolve it against a
// mailbox (membership, iteration) and to format sets of UIDs for responses (COPYUID,
// VANISHED, MODIFIED, ESEARCH ALL).

import { ProtocolBad } from './errors.ts'

/** One end of a range: a number, or `*` (the largest number in use, RFC 9051 9 seq-number). */
export type SeqNumber = number | '*'

/** RFC 9051 9: seq-range = seq-number ":" seq-number; "n" alone is the range n:n. */
export interface SeqRange {
  start: SeqNumber
  end: SeqNumber
}

/**
 * A parsed sequence set: explicit ranges, in the order the client gave them, or `$`, the
 * result saved by an earlier SEARCH RETURN (SAVE) (RFC 5182 2.1).
 */
export type SequenceSet = { kind: 'ranges'; ranges: SeqRange[] } | { kind: 'saved' }

/** How to resolve a set: the largest number in use (for `*`) and the saved result (for `$`). */
export interface ResolveOptions {
  /** Highest message sequence number or UID in the mailbox; 0 when it is empty. */
  max: number
  /** The saved search result (RFC 5182), already in the set's number space; empty if none. */
  saved?: readonly number[]
}

const MAX_NZ = 4294967295 // RFC 9051 9: nz-number fits in 32 bits

/** Parses RFC 9051 9 sequence-set text (`1:3,5,7:*` or `$`); throws ProtocolBad. */
export function parseSequenceSet(text: string): SequenceSet {
  if (text === '$') return { kind: 'saved' } // RFC 5182 2.1
  if (text === '') throw new ProtocolBad('empty sequence set')
  const ranges: SeqRange[] = []
  for (const item of text.split(',')) {
    const colon = item.indexOf(':')
    if (colon === -1) {
      const n = parseSeqNumber(item)
      ranges.push({ start: n, end: n })
    } else {
      ranges.push({
        start: parseSeqNumber(item.slice(0, colon)),
        end: parseSeqNumber(item.slice(colon + 1)),
      })
    }
  }
  return { kind: 'ranges', ranges }
}

function parseSeqNumber(s: string): SeqNumber {
  if (s === '*') return '*'
  // RFC 9051 9: nz-number = digit-nz *DIGIT
  if (!/^[1-9][0-9]{0,9}$/.test(s)) throw new ProtocolBad(`bad sequence number "${s}"`)
  const n = Number(s)
  if (n > MAX_NZ) throw new ProtocolBad(`sequence number ${s} out of range`)
  return n
}

/**
 * The set as sorted, merged, non-overlapping [lo, hi] ranges, clipped to 1..max. RFC 9051
 * 9: `n:m` equals `m:n`, and `*` is max. A number above max is dropped, but a range
 * `n:*` with n above max still means max (RFC 9051 6.4.9: "UID 3:*" matches the last UID).
 */
export function resolveSequenceSet(set: SequenceSet, opts: ResolveOptions): [number, number][] {
  const raw: [number, number][] = []
  if (set.kind === 'saved') {
    for (const n of opts.saved ?? []) raw.push([n, n])
  } else {
    for (const r of set.ranges) {
      const a = r.start === '*' ? opts.max : r.start
      const b = r.end === '*' ? opts.max : r.end
      // With `*` on one side, the low end is never above max: `5:*` with max 3 is 3.
      const lo = Math.max(1, Math.min(a, b))
      const hi = Math.min(Math.max(a, b), opts.max)
      if (lo <= hi) raw.push([lo, hi])
    }
  }
  raw.sort((x, y) => x[0] - y[0])
  const out: [number, number][] = []
  for (const [lo, hi] of raw) {
    const last = out[out.length - 1]
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi)
    else out.push([lo, hi])
  }
  return out
}

/** True when n is in the set (after resolving `*` and `$` as resolveSequenceSet does). */
export function isInSequenceSet(set: SequenceSet, n: number, opts: ResolveOptions): boolean {
  return resolveSequenceSet(set, opts).some(([lo, hi]) => n >= lo && n <= hi)
}

/** Every number in the set, ascending, without duplicates. */
export function* iterateSequenceSet(set: SequenceSet, opts: ResolveOptions): Generator<number> {
  for (const [lo, hi] of resolveSequenceSet(set, opts)) {
    for (let n = lo; n <= hi; n++) yield n
  }
}

/**
 * Formats numbers as a compact sequence set (`1:3,7`), ascending, in the order RFC 4315 3
 * needs for COPYUID when `keepOrder` is false (the default). With keepOrder the numbers stay
 * in the given order and only consecutive runs are merged (COPYUID source/destination pairs
 * must correspond, RFC 4315 3). Returns '' for no numbers.
 */
export function formatSequenceSet(numbers: Iterable<number>, keepOrder = false): string {
  const list = [...numbers]
  if (!keepOrder) list.sort((a, b) => a - b)
  const parts: string[] = []
  let i = 0
  while (i < list.length) {
    const start = list[i] as number
    let end = start
    while (
      i + 1 < list.length &&
      (list[i + 1] === end + 1 || (!keepOrder && list[i + 1] === end))
    ) {
      i++
      end = list[i] as number
    }
    parts.push(start === end ? String(start) : `${start}:${end}`)
    i++
  }
  return parts.join(',')
}

/** Formats a parsed set back to wire form (for echoing, e.g. in `[MODIFIED ...]`). */
export function sequenceSetToString(set: SequenceSet): string {
  if (set.kind === 'saved') return '$'
  return set.ranges
    .map((r) => (r.start === r.end ? String(r.start) : `${r.start}:${r.end}`))
    .join(',')
}
