// The Authentication-Results header field (RFC 8601): how this server reports what SPF, DKIM,
// DMARC and ARC concluded to the mail readers and filters downstream. The field carries an
// authserv-id (our host name) that readers trust; a field with our authserv-id that arrived
// with the message is a forgery and is removed before ours is added (RFC 8601 5).
import { removeHeaderFields } from '../mail/remove-header-fields.ts'

const MAX_LINE = 76

/** RFC 8601 2.2: authserv-id is a value (token or quoted-string); host names are tokens. */
export function formatAuthservId(id: string): string {
  return /^[!#-'*+.0-9A-Z^-~-]+$/.test(id) ? id : `"${id.replace(/["\\]/g, '\\$&')}"`
}

/**
 * RFC 8601 2.2: `Authentication-Results: authserv-id; resinfo; resinfo` with one result per
 * line, folded at spaces (RFC 5322 2.2.3) so that no line grows past ~78 characters.
 * Returns the field value (without the name) and the whole field ending with CRLF.
 */
export function formatAuthResults(
  authservId: string,
  results: readonly string[],
): { value: string; field: string } {
  const id = formatAuthservId(authservId)
  // RFC 8601 2.2: "none" when no method produced a result.
  const entries = results.length === 0 ? ['none'] : results.map(oneLine)
  const value = `${id};\r\n\t${entries.map(fold).join(';\r\n\t')}`
  return { value, field: `Authentication-Results: ${value}\r\n` }
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+[ \t]*/g, ' ').trim()
}

function fold(entry: string): string {
  const words = entry.split(' ')
  const lines: string[] = []
  let line = ''
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > MAX_LINE) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  lines.push(line)
  return lines.join('\r\n\t\t')
}

/** The authserv-id of an Authentication-Results value: the first token, after CFWS. */
export function authservIdOf(value: string): string {
  const rest = value.replace(/^(?:\s|\([^()]*\))*/, '')
  const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest)
  if (quoted) return (quoted[1] ?? '').replace(/\\(.)/g, '$1')
  return (/^[^\s;()]+/.exec(rest)?.[0] ?? '').trim()
}

const NAME = 'authentication-results'

/**
 * RFC 8601 5: removes every Authentication-Results field of the header block (the first
 * `headerEnd` bytes) whose authserv-id is ours (case-insensitive, as host names compare). Only
 * the header block is scanned; the body is reused as is. Returns the same Buffer when nothing
 * was removed, and how many fields were.
 */
export function removeOwnAuthResults(
  message: Buffer,
  headerEnd: number,
  authservId: string,
): { message: Buffer; removed: number } {
  const own = authservId.toLowerCase()
  return removeHeaderFields(
    message,
    headerEnd,
    (name, value) => name === NAME && authservIdOf(value).toLowerCase() === own,
  )
}
