// The base subject of RFC 5256 2.1, used by SORT SUBJECT and by both THREAD algorithms:
// RFC 2047 decoding, whitespace normalisation, then "Re:" / "Fwd:" leaders, "[blob]" prefixes,
// "(fwd)" trailers and "[fwd: ...]" wrappers removed until nothing more matches. Case is kept;
// comparisons use i;ascii-casemap (RFC 4790 9.2) through subjectKey().

import { decodeEncodedWords } from './encoded-words.ts'

export interface BaseSubject {
  /** The base subject (RFC 5256 2.1 step 7). */
  base: string
  /**
   * Whether a reply/forward marker ("re:", "fw:", "fwd:", "(fwd)" or "[fwd: ...]") was removed:
   * RFC 5256 4 REFERENCES step 5 treats such a message as a reply or forward.
   */
  isReplyOrForward: boolean
}

// RFC 5256 5: subj-blob = "[" *BLOBCHAR "]" *WSP; BLOBCHAR is any CHAR except "[" and "]".
const BLOB = /^\[[^[\]]*\] */
// subj-leader = (*subj-blob subj-refwd) / WSP
// subj-refwd  = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
const REFWD = /^(?:\[[^[\]]*\] *)*(?:re|fwd?) *(?:\[[^[\]]*\] *)?:/i

/** RFC 5256 2.1: the base subject of a Subject header value as written. */
export function baseSubject(subject: string): BaseSubject {
  // (1) decode encoded words; tabs and continuations to space; runs of spaces to one.
  let s = decodeEncodedWords(subject)
    .replace(/\r?\n/g, '')
    .replace(/\t/g, ' ')
    .replace(/ {2,}/g, ' ')
  let isReplyOrForward = false
  for (;;) {
    // (2) subj-trailer = "(fwd)" / WSP, repeatedly.
    for (;;) {
      if (s.endsWith(' ')) s = s.slice(0, -1)
      else if (s.slice(-5).toLowerCase() === '(fwd)') {
        s = s.slice(0, -5)
        isReplyOrForward = true
      } else break
    }
    // (3)-(5): leaders and blobs, repeatedly.
    for (let changed = true; changed;) {
      changed = false
      const refwd = REFWD.exec(s)
      if (refwd !== null) {
        s = s.slice(refwd[0].length)
        isReplyOrForward = true
        changed = true
      } else if (s.startsWith(' ')) {
        s = s.slice(1)
        changed = true
      }
      // (4) a blob goes only if what remains is a non-empty subj-base.
      const blob = BLOB.exec(s)
      if (blob !== null && s.slice(blob[0].length).trim() !== '') {
        s = s.slice(blob[0].length)
        changed = true
      }
    }
    // (6) subj-fwd = "[fwd:" subject "]": unwrap and repeat from (2).
    if (s.length >= 6 && s.slice(0, 5).toLowerCase() === '[fwd:' && s.endsWith(']')) {
      s = s.slice(5, -1)
      isReplyOrForward = true
      continue
    }
    return { base: s, isReplyOrForward }
  }
}

/** i;ascii-casemap (RFC 4790 9.2): a-z to A-Z, everything else unchanged. */
export function asciiCasemap(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase())
}

/** Bytes that compare (octet by octet, RFC 4790 9.2) as the base subject under i;ascii-casemap. */
export function subjectKey(subject: string): string {
  return asciiCasemap(baseSubject(subject).base)
}
