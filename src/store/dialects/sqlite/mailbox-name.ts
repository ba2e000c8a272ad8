// Mailbox name canonicalisation: RFC 3501 5.1: "INBOX" is case-insensitive; every other
// name is kept as given.

export function canonicalMailboxName(name: string): string {
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name
}
