// The catalogue of events: every `event` value a log line may carry, with what it means.
// Names are '<area>.<event>' (STYLE.md); add new ones here rather than inventing them inline.
import type { Logger } from './logger.ts'

export const EVENTS = {
  'smtp.session-start': 'a client connected to an SMTP listener',
  'smtp.session-end': 'an SMTP session ended (outcome, counts, duration)',
  'smtp.message-accepted': 'a message was committed and acknowledged with 250',
  'smtp.message-rejected': 'a message was refused after DATA/BDAT',
  'smtp.rcpt-rejected': 'a recipient was refused at RCPT',
  'smtp.relay-denied': 'an unauthenticated client tried to relay to a non-local domain',
  'smtp.bare-line-end': 'a bare CR or LF was seen in a command or in message data',
  'smtp.too-many-errors': 'the session reached its error limit and was closed with 421',
  'smtp.timeout': 'an idle or total session timeout closed the session',
  'smtp.tls-failed': 'a STARTTLS or implicit TLS handshake failed',
  'smtp.connection-limit': 'a connection was refused by the total or per-IP limit',
  'pop3.session-start': 'a client connected to a POP3 listener',
  'pop3.session-end': 'a POP3 session ended (outcome, messages retrieved, duration)',
  'pop3.login': 'a POP3 client logged in and locked its maildrop',
  'pop3.login-failed': 'a POP3 login was refused (wrong user name or password)',
  'pop3.in-use': 'a POP3 login was refused because another session holds the maildrop',
  'pop3.deleted': 'messages marked with DELE were removed at QUIT',
  'pop3.message-gone': 'RETR/TOP of a message another client expunged during the session',
  'pop3.too-many-bad-commands': 'the session reached its bad-command limit and was closed',
  'pop3.timeout': 'the autologout timer closed an idle POP3 session',
  'pop3.tls-failed': 'an STLS or implicit TLS handshake failed',
  'pop3.connection-limit': 'a POP3 connection was refused by the total or per-IP limit',
  'pop3.session-error': 'an unexpected error ended a POP3 session',
  'imap.session-start': 'a client connected to an IMAP listener',
  'imap.session-end': 'an IMAP session ended (outcome, bad commands, duration)',
  'imap.login': 'an IMAP client logged in',
  'imap.login-failed': 'an IMAP login was refused (wrong user name or password)',
  'imap.command': 'an IMAP command completed (debug level)',
  'imap.command-error': 'an IMAP command failed with an unexpected error (answered NO)',
  'imap.client-id': 'an IMAP client identified itself with ID (RFC 2971)',
  'imap.too-many-bad-commands': 'the session reached its BAD limit and was closed with BYE',
  'imap.timeout': 'the autologout timer closed an idle IMAP session',
  'imap.tls-failed': 'a STARTTLS or implicit TLS handshake failed',
  'imap.connection-limit': 'an IMAP connection was refused by the total or per-IP limit',
  'imap.session-error': 'an unexpected error ended an IMAP session',
  'server.default-created': 'serve created the embedded default data directory',
  'server.listening': 'a listener is bound and accepting connections',
  'server.ready': 'every configured listener is up',
  'server.stopping': 'shutdown began: listeners closed, sessions finishing',
  'server.stopped': 'shutdown finished',
  'server.error': 'an unexpected error outside any session',
  'delivery.stored': 'a message was linked into a local mailbox',
  'store.commit': 'a group commit was written to disk',
  'store.opened': 'the store was opened (engine, path, schema version)',
  'http.request': 'an HTTP request was answered',
} as const satisfies Record<string, string>

export type EventName = keyof typeof EVENTS

export type EventLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'

/** Writes one log line for a catalogued event: `{ event, ...fields, msg? }`. */
export function logEvent(
  logger: Logger,
  event: EventName,
  fields: Record<string, unknown> = {},
  level: EventLevel = 'info',
): void {
  logger[level]({ event, ...fields })
}
