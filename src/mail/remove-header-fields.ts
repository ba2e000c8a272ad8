// Removes header fields from a message's header block (RFC 5322 2.2: a field is its first line
// and every continuation line that starts with WSP, 2.2.3). Only the header block is scanned;
// the body is reused as is. Used to drop fields an earlier hop must not be trusted for
// (Authentication-Results claiming our authserv-id, RFC 8601 5; X-Spam-* verdicts).

/**
 * Removes every field of the header block (the first `headerEnd` bytes) for which
 * `shouldRemove(lower-case name, raw value)` is true. Returns the same Buffer when nothing was
 * removed, and how many fields were.
 */
export function removeHeaderFields(
  message: Buffer,
  headerEnd: number,
  shouldRemove: (name: string, value: string) => boolean,
): { message: Buffer; removed: number } {
  const header = message.subarray(0, headerEnd).toString('latin1')
  const kept: Buffer[] = []
  let removed = 0
  let keptFrom = 0
  for (const field of headerFields(header)) {
    const colon = header.indexOf(':', field.start)
    if (colon < 0 || colon >= field.end) continue
    const name = header.slice(field.start, colon).trim().toLowerCase()
    if (!shouldRemove(name, header.slice(colon + 1, field.end))) continue
    // latin1 keeps one character per byte, so string offsets are byte offsets.
    kept.push(message.subarray(keptFrom, field.start))
    keptFrom = field.end
    removed++
  }
  if (removed === 0) return { message, removed }
  kept.push(message.subarray(keptFrom))
  return { message: Buffer.concat(kept), removed }
}

/** Each field's [start, end) in the header block, end after its final line break. */
function* headerFields(header: string): Generator<{ start: number; end: number }> {
  let pos = 0
  // The empty line that ends the header block is not a field; a bounded walk over lines.
  while (pos < header.length) {
    let end = lineEnd(header, pos)
    if (end - pos <= 2 && /^\r?\n$/.test(header.slice(pos, end))) return
    // RFC 5322 2.2.3: a line starting with WSP continues the field.
    while (end < header.length && (header[end] === ' ' || header[end] === '\t')) {
      end = lineEnd(header, end)
    }
    yield { start: pos, end }
    pos = end
  }
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from)
  return nl < 0 ? text.length : nl + 1
}
