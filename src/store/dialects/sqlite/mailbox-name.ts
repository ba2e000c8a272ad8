// Mailbox names: RFC 3501 5.1 / RFC 9051 5.1: "INBOX" is case-insensitive, also as the first
// level of a hierarchical name ("inbox/x" is "INBOX/x"); every other name is kept as given.
// The hierarchy delimiter is "/". Names are stored as Unicode text (the IMAP layer decodes
// modified UTF-7).

export const DELIMITER = '/'

export function canonicalMailboxName(name: string): string {
  const cut = name.indexOf(DELIMITER)
  const first = cut === -1 ? name : name.slice(0, cut)
  if (first.toUpperCase() !== 'INBOX') return name
  return cut === -1 ? 'INBOX' : `INBOX${name.slice(cut)}`
}

/**
 * The canonical name for CREATE or RENAME, or undefined when it cannot be a mailbox name:
 * empty, a level that is empty or "." / "..", control characters, wildcards (RFC 9051 5.1:
 * "%" and "*" are list wildcards), or longer than 1,000 characters. One trailing delimiter
 * is dropped (RFC 9051 6.3.4).
 */
export function validMailboxName(name: string): string | undefined {
  const trimmed = name.endsWith(DELIMITER) ? name.slice(0, -1) : name
  if (trimmed === '' || trimmed.length > 1000) return undefined
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\x00-\x1f\x7f%*]/.test(trimmed)) return undefined
  const levels = trimmed.split(DELIMITER)
  if (levels.some((l) => l === '' || l === '.' || l === '..')) return undefined
  return canonicalMailboxName(trimmed)
}

/** The superior names of a name, outermost first ("a/b/c" gives "a", "a/b"). */
export function superiorNames(name: string): string[] {
  const levels = name.split(DELIMITER)
  return levels.slice(1).map((_, i) => levels.slice(0, i + 1).join(DELIMITER))
}
