// RFC 6533 4: an internationalized DSN returns the original's header block as
// message/global-headers (UTF-8 header fields, RFC 6532) where an ASCII one uses
// text/rfc822-headers; both are read the same way for the original's Message-ID.
import type { MimePart } from '../mail/mime-tree.ts'

/** Whether a part is message/global-headers. */
export function isGlobalHeaders(part: MimePart): boolean {
  return part.contentType.type === 'message' && part.contentType.subtype === 'global-headers'
}
