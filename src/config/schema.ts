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
    submission: listenAddress.default('127.0.0.1:1587'),
    submissions: listenAddress.default('127.0.0.1:1465'),
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

export const submissionSchema = z
  .object({
    /** Networks (CIDR) offered AUTH before TLS on listen.submission. Empty: TLS always. */
    plaintext_networks: z.array(z.string()).default(LOOPBACK_NETWORKS),
    /** Failed AUTH attempts from one IP within the window, then 421 until it has passed. */
    max_auth_failures: z.number().int().min(1).default(5),
    auth_failure_window_ms: z.number().int().min(1000).default(900_000),
    /** Delay before answering a failed AUTH (slows password guessing, RFC 4954 15). */
    auth_failure_delay_ms: z.number().int().min(0).default(2000),
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

/** "domain:max_concurrent:max_per_minute", e.g. "gmail.com:3:60". */
const domainLimit = z
  .string()
  .regex(/^[^\s:]+:\d+:\d+$/, 'must be "domain:max_concurrent:max_per_minute"')

export const queueSchema = z
  .object({
    /** Delays between attempts (s); the last one repeats. Default 5m, 10m, 20m, 40m, hourly. */
    // coerce: an environment override gives the array as strings ("300,600").
    retry_schedule_s: z
      .array(z.coerce.number().int().min(1))
      .min(1)
      .default([300, 600, 1200, 2400, 3600]),
    /** Give up (expire, failure DSN) after this age (s). */
    max_age_s: z.number().int().min(60).default(432_000),
    /** Send a delay DSN once a recipient has waited this long (s); 0 = never. */
    delay_notice_after_s: z.number().int().min(0).default(14_400),
    /** Deliveries (transport calls) in progress at once. */
    max_concurrent: z.number().int().min(1).max(10_000).default(50),
    /** false turns every throttle off (domain and account limits, not slow-down backoff). */
    throttle: z.boolean().default(true),
    domain_max_concurrent: z.number().int().min(1).default(5),
    domain_max_per_minute: z.number().int().min(1).default(120),
    /** Per-domain overrides, "domain:max_concurrent:max_per_minute". */
    domain_limits: z.array(domainLimit).default([]),
    /** Messages one submitting account may send per hour; 0 = no limit. */
    account_max_per_hour: z.number().int().min(0).default(500),
    /** First pause of a domain that asked us to slow down (s); doubles on repeats, up to 1 h. */
    slowdown_pause_s: z.number().int().min(1).default(300),
    /** Above this size a DSN returns only the original's headers, whatever RET says. */
    dsn_max_full_bytes: z.number().int().min(0).default(1_048_576),
    /** Finished messages (every recipient done) are kept this long for `queue show` (s). */
    keep_finished_s: z.number().int().min(0).default(604_800),
    /** The scheduler also looks for due work this often (ms; picks up `queue retry`). */
    poll_interval_ms: z.number().int().min(100).default(15_000),
  })
  .strict()

export const authSchema = z
  .object({
    /** SPF, DKIM, DMARC and ARC on every message received on the mx listener. */
    enabled: z.boolean().default(true),
    /** Clients (IP, CIDR or forward-confirmed host name) whose DMARC failure is excused. */
    trusted_forwarders: z.array(z.string().min(1)).default([]),
    /** Domains whose ARC pass (RFC 8617) is accepted when DMARC fails. */
    trusted_arc_sealers: z.array(z.string().min(1)).default([]),
    /** From domains (and subdomains) whose DMARC policy is not enforced. */
    dmarc_exceptions: z.array(z.string().min(1)).default([]),
    /** Budget for all DNS questions of one message; then temperror and the message goes on. */
    timeout_ms: z.number().int().min(10).max(60_000).default(5000),
  })
  .strict()

export const spamSchema = z
  .object({
    /** Score every message (X-Spam-* headers, Junk, refusal, pre-flight). */
    enabled: z.boolean().default(true),
    /** Inbound: at or above this score the message is delivered to Junk. */
    junk_threshold: z.number().default(5),
    /** Inbound: at or above this score the message is refused at end of data (550 5.7.1). */
    reject_threshold: z.number().default(12),
    /** Submission: at or above this score the message is refused with the reasons. */
    preflight_threshold: z.number().default(8),
    /** Longest wait for Bayes, reputation and blocklist answers per message (ms). */
    signal_budget_ms: z.number().int().min(10).max(60_000).default(2000),
    /** Stored explanations older than this many days are deleted; 0 keeps them forever. */
    keep_explanations_days: z.number().int().min(0).default(30),
  })
  .strict()

/** "zone:weight" (weight optional), e.g. "zen.spamhaus.org:3". */
const dnsListSpec = z
  .string()
  .regex(/^[a-z0-9.-]+\.[a-z0-9-]+(:-?\d+(\.\d+)?)?$/i, 'must be "zone" or "zone:weight"')

export const bayesSchema = z
  .object({
    /** The Bayesian classifier's signal (training over IMAP and the CLI works either way). */
    enabled: z.boolean().default(true),
    /** Spam and ham messages trained (account + global) before the classifier has an opinion. */
    min_spam: z.number().int().min(1).default(20),
    min_ham: z.number().int().min(1).default(20),
    /** Score at probability 1 (minus it at 0), linear in between. */
    weight: z.number().min(0).max(100).default(4),
  })
  .strict()

export const reputationSchema = z
  .object({
    /** Sender reputation (IP network, authenticated domain) as a signal. */
    enabled: z.boolean().default(true),
    /** Largest score a reputation adds (bad) or removes (good). */
    weight: z.number().min(0).max(100).default(2.5),
    /** Messages seen from a sender before it has a reputation (new senders are neutral). */
    min_messages: z.number().int().min(1).default(5),
    /** How many verdicts one user correction (a move into or out of Junk) counts as. */
    correction_weight: z.number().int().min(1).max(1000).default(5),
  })
  .strict()

export const dnsblSchema = z
  .object({
    /** IP blocklists (RFC 5782), "zone:weight". */
    ip_lists: z.array(dnsListSpec).default([]),
    /** Domain blocklists for URL and sender domains (DBL/SURBL style), "zone:weight". */
    domain_lists: z.array(dnsListSpec).default([]),
    /** Budget for every blocklist question of one message; a list not answering is no hit. */
    timeout_ms: z.number().int().min(10).max(60_000).default(1500),
    /** Most URL domains of one message asked about. */
    max_domains: z.number().int().min(0).max(100).default(10),
  })
  .strict()

export const greylistSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** A new (IP /24, sender, recipient) triple must wait this long before a retry is taken. */
    delay_s: z.number().int().min(0).default(300),
    /** After this long since first contact a retry counts as a new first contact. */
    expire_s: z.number().int().min(60).default(14_400),
    /** An accepted triple is remembered this long after its last message. */
    remember_s: z.number().int().min(3600).default(2_592_000),
    /** Client networks (CIDR) never greylisted. */
    passlist: z.array(z.string().min(1)).default([]),
    /** Networks with a good reputation skip greylisting. */
    skip_good_reputation: z.boolean().default(true),
  })
  .strict()

export const senderScoreSchema = z
  .object({
    /** Throttle and suspend accounts whose sent mail bounces or is refused too often. */
    enabled: z.boolean().default(true),
    /** The window counted (s), in hourly steps. */
    window_s: z.number().int().min(3600).default(86_400),
    /** Messages sent in the window before the bounce rate counts. */
    min_messages: z.number().int().min(1).default(20),
    /** Bounce rate (percent of sent messages) above which the account is throttled. */
    throttle_bounce_pct: z.number().min(0).max(100).default(10),
    /** Bounce rate (percent) above which a throttled account is suspended. */
    suspend_bounce_pct: z.number().min(0).max(100).default(30),
    /** Messages the pre-flight check refused in the window: above these, throttle / suspend. */
    throttle_refusals: z.number().int().min(0).default(5),
    suspend_refusals: z.number().int().min(0).default(15),
  })
  .strict()

/** DMARC aggregate reports, and the records and policies `postern dns` publishes. */
export const dmarcSchema = z
  .object({
    /** Send daily DMARC aggregate reports (RFC 7489 7.2) to the domains that ask (rua=). */
    reports: z.boolean().default(true),
    /** Hour of the UTC day at which the previous day's reports go out. */
    report_hour_utc: z.number().int().min(0).max(23).default(1),
    /** report_metadata/org_name; "" uses the hostname. */
    org_name: z.string().default(''),
    /** From of report mail; "" uses dmarc-reports@<first local domain>. */
    report_from: z.string().default(''),
    /** Days evaluations are kept for reports. */
    retention_days: z.number().int().min(2).max(366).default(14),
    /** The p= of the DMARC record `postern dns` suggests. */
    publish_policy: z.enum(['none', 'quarantine', 'reject']).default('quarantine'),
    /** This server's public IPs, added to the SPF record `postern dns` suggests. */
    server_ips: z.array(z.string().min(1)).default([]),
    /** MTA-STS (RFC 8461) policy mode served at mta-sts.<domain>. */
    mta_sts_mode: z.enum(['enforce', 'testing', 'none']).default('testing'),
    /** MTA-STS policy max_age (RFC 8461 3.2: at most 31557600). */
    mta_sts_max_age_s: z.number().int().min(86_400).max(31_557_600).default(604_800),
  })
  .strict()

/** Forwarding to remote addresses: SRS envelope senders and ARC seals. */
export const srsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** HMAC secret; "" uses DIR/srs.key (created on first start). */
    secret: z.string().default(''),
    /** Domain of SRS addresses; "" uses the forwarding alias's domain. */
    domain: z.string().default(''),
    /** SRS addresses older than this do not reverse (bounces refused). */
    max_age_days: z.number().int().min(1).max(1000).default(21),
    /** Add an ARC set (RFC 8617) signed with the domain's DKIM key when forwarding. */
    arc_seal: z.boolean().default(true),
  })
  .strict()

/** Sending to other servers (src/outbound): MX routing, the SMTP client, MTA-STS. */
export const outboundSchema = z
  .object({
    /** Port of the remote MX hosts (25; tests point it elsewhere). */
    port: z.number().int().min(1).max(65535).default(25),
    /** Source address for IPv4 connections; "" = the system's choice. */
    source_ipv4: z
      .string()
      .regex(/^$|^\d{1,3}(\.\d{1,3}){3}$/, 'must be an IPv4 address or ""')
      .default(''),
    /** Source address for IPv6 connections; "" = the system's choice. */
    source_ipv6: z
      .string()
      .regex(/^$|^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/, 'must be an IPv6 address or ""')
      .default(''),
    connect_timeout_ms: z.number().int().min(100).default(30_000),
    /** Greeting, EHLO, MAIL, RCPT (RFC 5321 4.5.3.2: 5 minutes); DATA's 354 waits at most 2. */
    command_timeout_ms: z.number().int().min(100).default(300_000),
    /** The reply after the final "." (RFC 5321 4.5.3.2.7: 10 minutes). */
    data_timeout_ms: z.number().int().min(100).default(600_000),
    /** Apply MTA-STS policies (RFC 8461) of recipient domains. */
    mta_sts: z.boolean().default(true),
    /** PEM file of trust anchors for certificate checks; "" = the system's. */
    tls_ca: z.string().default(''),
    max_messages_per_connection: z.number().int().min(1).default(100),
    /** How long an idle connection is kept for the next message to the same host. */
    idle_keep_ms: z.number().int().min(0).default(10_000),
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
    submission: submissionSchema.default(submissionSchema.parse({})),
    tls: tlsSchema.default(tlsSchema.parse({})),
    store: storeSchema.default(storeSchema.parse({})),
    delivery: deliverySchema.default(deliverySchema.parse({})),
    dkim: dkimSchema.default(dkimSchema.parse({})),
    dns: dnsSchema.default(dnsSchema.parse({})),
    auth: authSchema.default(authSchema.parse({})),
    queue: queueSchema.default(queueSchema.parse({})),
    outbound: outboundSchema.default(outboundSchema.parse({})),
    spam: spamSchema.default(spamSchema.parse({})),
    bayes: bayesSchema.default(bayesSchema.parse({})),
    reputation: reputationSchema.default(reputationSchema.parse({})),
    dnsbl: dnsblSchema.default(dnsblSchema.parse({})),
    greylist: greylistSchema.default(greylistSchema.parse({})),
    sender_score: senderScoreSchema.default(senderScoreSchema.parse({})),
    dmarc: dmarcSchema.default(dmarcSchema.parse({})),
    srs: srsSchema.default(srsSchema.parse({})),
    log: logSchema.default(logSchema.parse({})),
  })
  .strict()

export type Config = z.infer<typeof configSchema>
export type ListenerName = keyof Config['listen']
export type SmtpLimits = Config['smtp']
export type Pop3Config = Config['pop3']
export type ImapConfig = Config['imap']
export type QueueConfig = Config['queue']
