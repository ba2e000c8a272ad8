// Renders the commented postern.toml that `postern init` writes: every section and key with
// its default value and a one-line comment. Values come from the schema's defaults and the
// comments from KEY_DOCS below; rendering fails if a key has no comment, so the two cannot
// drift apart silently (render.test.ts renders and loads the result back).
import { configSchema } from './schema.ts'

const SECTION_DOCS: Record<string, string> = {
  listen: 'Listeners, each "host:port"; "" turns one off. Env: POSTERN_LISTEN_<NAME>.',
  smtp: 'SMTP limits and behaviour, shared by every SMTP listener.',
  pop3: 'POP3 limits and behaviour, shared by listen.pop3 and listen.pop3s.',
  imap: 'IMAP limits and behaviour, shared by listen.imap and listen.imaps.',
  tls: 'Certificate and key (PEM). Relative paths are taken against the data directory.',
  store: 'Where mail and metadata live.',
  delivery: 'Local delivery.',
  dkim: 'DKIM signing.',
  dns: 'DNS resolution (MX routing, SPF, DKIM, DMARC, blocklists).',
  log: 'Logging: JSON lines on stdout.',
}

const KEY_DOCS: Record<string, string> = {
  hostname: 'Name this server gives in its greeting, EHLO and Received headers.',
  'listen.smtp': 'Inbound mail from other servers (role "mx"); port 25 in production.',
  'listen.submission': 'Mail from your users, STARTTLS + AUTH (port 587 in production).',
  'listen.submissions': 'Mail from your users over implicit TLS (port 465 in production).',
  'listen.imap': 'IMAP with STARTTLS (port 143 in production).',
  'listen.imaps': 'IMAP over implicit TLS (port 993 in production).',
  'listen.pop3': 'POP3 with STLS (port 110 in production).',
  'listen.pop3s': 'POP3 over implicit TLS (port 995 in production).',
  'listen.http': 'HTTP: /healthz, /metrics, admin and send API.',
  'smtp.max_message_bytes': 'Largest message accepted (SIZE), headers included.',
  'smtp.max_line_bytes': 'Longest command line, CRLF included.',
  'smtp.max_recipients': 'Recipients per message.',
  'smtp.max_errors': 'Protocol errors in one session before 421 and close.',
  'smtp.idle_timeout_ms': 'Time a client may stay silent.',
  'smtp.session_timeout_ms': 'Longest a session may last.',
  'smtp.max_connections': 'Concurrent SMTP connections in total.',
  'smtp.max_connections_per_ip': 'Concurrent SMTP connections from one IP address.',
  'smtp.error_delay_ms': 'Delay before replying to a client that made an error.',
  'smtp.max_received_headers': 'Received headers beyond which a message is taken as looping.',
  'smtp.trusted_networks': 'Networks (CIDR) allowed to relay without authentication.',
  'smtp.shutdown_grace_ms': 'On SIGTERM, how long sessions in progress may take to finish.',
  'pop3.max_line_bytes': 'Longest input line, CRLF included (SASL responses included).',
  'pop3.max_bad_commands': 'Bad commands in one session before -ERR and close.',
  'pop3.max_login_failures': 'Failed logins in one session before -ERR [AUTH] and close.',
  'pop3.login_failure_delay_ms': 'Delay before answering a failed login.',
  'pop3.idle_timeout_ms': 'Autologout timer: time a client may stay silent (RFC 1939: >= 10 min).',
  'pop3.max_connections': 'Concurrent POP3 connections in total (pop3 and pop3s each).',
  'pop3.max_connections_per_ip': 'Concurrent POP3 connections from one IP address.',
  'pop3.plaintext_networks':
    'Networks (CIDR) allowed to log in without TLS on listen.pop3, e.g. ["127.0.0.0/8"].',
  'imap.max_line_bytes': 'Longest command line, CRLF included, literals excluded.',
  'imap.max_append_bytes': 'APPENDLIMIT: largest message APPEND accepts (refused before reading).',
  'imap.max_bad_commands': 'BAD responses in one session before * BYE and close.',
  'imap.max_login_failures': 'Failed logins in one session before * BYE and close.',
  'imap.login_failure_delay_ms': 'Delay before answering a failed login.',
  'imap.idle_timeout_ms': 'Autologout timer, IDLE included (RFC 9051: >= 30 min).',
  'imap.max_connections': 'Concurrent IMAP connections in total (imap and imaps each).',
  'imap.max_connections_per_ip': 'Concurrent IMAP connections from one IP address.',
  'imap.max_connections_per_account': 'Concurrent logged-in IMAP sessions of one account.',
  'imap.plaintext_networks':
    'Networks (CIDR) allowed to log in without TLS on listen.imap, e.g. ["127.0.0.0/8"].',
  'tls.cert': 'Certificate chain (PEM); `postern init` writes a self-signed one.',
  'tls.key': 'Private key (PEM).',
  'store.path': 'SQLite database file.',
  'store.url': 'postgres://... to use PostgreSQL instead (not supported yet).',
  'delivery.plus_separator': 'user+tag@domain delivers to user@domain; "" turns this off.',
  'dkim.selector': 'Selector base: keys are published as <selector>-rsa and <selector>-ed25519.',
  'dns.servers': 'Resolvers to ask, "ip" or "ip:port"; [] uses the system\'s.',
  'dns.timeout_ms': 'How long one DNS question may take before it counts as a temporary failure.',
  'log.level': 'trace, debug, info, warn, error, fatal or silent.',
}

export interface RenderConfigOptions {
  hostname: string
}

export function renderConfigToml(opts: RenderConfigOptions): string {
  const values = configSchema.parse({ hostname: opts.hostname }) as unknown as Record<
    string,
    unknown
  >
  const lines = [
    '# Postern configuration. Every key is shown with its default; delete what you do not change.',
    '# Each key can be overridden by an environment variable POSTERN_<SECTION>_<KEY>,',
    '# e.g. POSTERN_LISTEN_SMTP or POSTERN_SMTP_MAX_MESSAGE_BYTES.',
    '',
  ]
  const sections: [string, Record<string, unknown>][] = []
  for (const [key, value] of Object.entries(values)) {
    if (isTable(value)) sections.push([key, value])
    else lines.push(...renderKey(key, key, value))
  }
  for (const [section, table] of sections) {
    lines.push('', `# ${docFor(SECTION_DOCS, section)}`, `[${section}]`)
    for (const [key, value] of Object.entries(table)) {
      lines.push(...renderKey(`${section}.${key}`, key, value))
    }
  }
  return `${lines.join('\n')}\n`
}

function renderKey(dotted: string, key: string, value: unknown): string[] {
  return [`# ${docFor(KEY_DOCS, dotted)}`, `${key} = ${renderValue(value, dotted)}`]
}

function docFor(docs: Record<string, string>, name: string): string {
  const doc = docs[name]
  if (doc === undefined) throw new Error(`render.ts has no comment for config key ${name}`)
  return doc
}

function renderValue(value: unknown, dotted: string): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.map((v) => renderValue(v, dotted)).join(', ')}]`
  throw new Error(`render.ts cannot render the value of ${dotted}`)
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
