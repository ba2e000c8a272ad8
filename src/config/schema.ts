// The configuration schema: every key of postern.toml, its type, its default and its limits.
// Validated with zod so that a bad key or value is refused with a message naming it.
import { z } from 'zod'

const listenAddress = z
  .string()
  .regex(/^$|^(\[[0-9a-fA-F:.]+\]|[^\s:]+):\d{1,5}$/, 'must be "host:port" or "" (off)')

/**
 * Loopback connections count as secure for plaintext logins, as Dovecot treats them: the
 * bytes never leave the machine.
 */
const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128']

export const listenSchema = z
  .object({
    smtp: listenAddress.default('127.0.0.1:2525'),
    submission: listenAddress.default(''),
    submissions: listenAddress.default(''),
    imap: listenAddress.default('127.0.0.1:1143'),
    imaps: listenAddress.default('127.0.0.1:1993'),
    pop3: listenAddress.default('127.0.0.1:1110'),
    pop3s: listenAddress.default('127.0.0.1:1995'),
    http: listenAddress.default('127.0.0.1:8080'),
  })
  .strict()

export const smtpSchema = z
  .object({
    /** SIZE (RFC 1870): the largest message accepted, in bytes, headers included. */
    max_message_bytes: z
      .number()
      .int()
      .min(1024)
      .default(25 * 1024 * 1024),
    /** Longest command line, CRLF included (RFC 5321 4.5.3.1.4 asks for at least 512). */
    max_line_bytes: z.number().int().min(512).max(65536).default(4096),
    max_recipients: z.number().int().min(1).max(100000).default(100),
    /** Protocol errors in one session before 421 and close. */
    max_errors: z.number().int().min(1).default(10),
    idle_timeout_ms: z.number().int().min(1000).default(300_000),
    session_timeout_ms: z.number().int().min(1000).default(1_800_000),
    max_connections: z.number().int().min(1).default(2000),
    max_connections_per_ip: z.number().int().min(1).default(50),
    /** Delay before a reply to a client that made an error (slows down scanners). */
    error_delay_ms: z.number().int().min(0).default(0),
    /** Received headers beyond which a message is taken as looping (RFC 5321 6.3). */
    max_received_headers: z.number().int().min(5).default(50),
    /** Networks (CIDR) allowed to relay without authentication. Empty: none. */
    trusted_networks: z.array(z.string()).default([]),
    /** Grace period for sessions in progress when the server stops. */
    shutdown_grace_ms: z.number().int().min(0).default(10_000),
  })
  .strict()

export const pop3Schema = z
  .object({
    /** Longest input line, CRLF included (RFC 2449 4: 255 for commands; SASL needs more). */
    max_line_bytes: z.number().int().min(256).max(65536).default(8192),
    /** Bad commands (unknown, wrong state, bad arguments) before "-ERR" and close. */
    max_bad_commands: z.number().int().min(1).default(10),
    /** Failed logins in one session before "-ERR [AUTH]" and close. */
    max_login_failures: z.number().int().min(1).default(3),
    /** Delay before answering a failed login. */
    login_failure_delay_ms: z.number().int().min(0).default(2000),
    /** RFC 1939 3: the autologout timer, at least 10 minutes. */
    idle_timeout_ms: z.number().int().min(1000).default(600_000),
    max_connections: z.number().int().min(1).default(1000),
    max_connections_per_ip: z.number().int().min(1).default(20),
    /** Networks (CIDR) that may log in without TLS on listen.pop3. Empty: TLS always. */
    plaintext_networks: z.array(z.string()).default(LOOPBACK_NETWORKS),
  })
  .strict()

export const imapSchema = z
  .object({
    /** Longest command line, CRLF included, literals excluded (RFC 7162 4: at least 8192). */
    max_line_bytes: z.number().int().min(1024).max(1_048_576).default(65536),
    /** APPENDLIMIT (RFC 7889): the largest message APPEND takes, refused before it is read. */
    max_append_bytes: z
      .number()
      .int()
      .min(1024)
      .default(50 * 1024 * 1024),
    /** BAD responses in one session before "* BYE" and close. */
    max_bad_commands: z.number().int().min(1).default(20),
    /** Failed logins in one session before "* BYE" and close. */
    max_login_failures: z.number().int().min(1).default(3),
    /** Delay before answering a failed login. */
    login_failure_delay_ms: z.number().int().min(0).default(2000),
    /** RFC 9051 5.4: the autologout timer, at least 30 minutes (IDLE included). */
    idle_timeout_ms: z.number().int().min(1000).default(1_800_000),
    max_connections: z.number().int().min(1).default(5000),
    max_connections_per_ip: z.number().int().min(1).default(100),
    /** Concurrent authenticated sessions of one account (both listeners together). */
    max_connections_per_account: z.number().int().min(1).default(50),
    /** Networks (CIDR) that may log in without TLS on listen.imap. Empty: TLS always. */
    plaintext_networks: z.array(z.string()).default(LOOPBACK_NETWORKS),
  })
  .strict()

export const tlsSchema = z
  .object({
    /** PEM files, relative to the data directory unless absolute. */
    cert: z.string().default('tls/cert.pem'),
    key: z.string().default('tls/key.pem'),
  })
  .strict()

export const storeSchema = z
  .object({
    /** SQLite file, relative to the data directory unless absolute. */
    path: z.string().default('postern.db'),
    /** postgres://... (not yet supported: the PostgreSQL engine comes later). */
    url: z.string().default(''),
  })
  .strict()

export const deliverySchema = z
  .object({
    /** user+tag@domain delivers to user@domain. Empty string turns sub-addressing off. */
    plus_separator: z.string().max(1).default('+'),
  })
  .strict()

export const dkimSchema = z
  .object({
    selector: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/i)
      .default('postern'),
  })
  .strict()

export const dnsSchema = z
  .object({
    /** Resolvers to ask, "ip" or "ip:port"; empty: the system's (/etc/resolv.conf). */
    servers: z.array(z.string().min(1)).default([]),
    /** How long one DNS question may take before it counts as a temporary failure. */
    timeout_ms: z.number().int().min(10).max(60_000).default(5000),
  })
  .strict()

export const logSchema = z
  .object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .strict()

export const configSchema = z
  .object({
    /** The name this server gives in its greeting, EHLO and Received headers. */
    hostname: z.string().min(1).default('localhost'),
    listen: listenSchema.default(listenSchema.parse({})),
    smtp: smtpSchema.default(smtpSchema.parse({})),
    pop3: pop3Schema.default(pop3Schema.parse({})),
    imap: imapSchema.default(imapSchema.parse({})),
    tls: tlsSchema.default(tlsSchema.parse({})),
    store: storeSchema.default(storeSchema.parse({})),
    delivery: deliverySchema.default(deliverySchema.parse({})),
    dkim: dkimSchema.default(dkimSchema.parse({})),
    dns: dnsSchema.default(dnsSchema.parse({})),
    log: logSchema.default(logSchema.parse({})),
  })
  .strict()

export type Config = z.infer<typeof configSchema>
export type ListenerName = keyof Config['listen']
export type SmtpLimits = Config['smtp']
export type Pop3Config = Config['pop3']
export type ImapConfig = Config['imap']
