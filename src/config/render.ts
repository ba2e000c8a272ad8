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
  submission: 'Mail from your users (listen.submission, listen.submissions): AUTH, DKIM signing.',
  tls: 'Certificate and key (PEM). Relative paths are taken against the data directory.',
  store: 'Where mail and metadata live.',
  delivery: 'Local delivery.',
  dkim: 'DKIM signing.',
  dns: 'DNS resolution (MX routing, SPF, DKIM, DMARC, blocklists).',
  auth: 'Email authentication of inbound mail: SPF, DKIM, DMARC, ARC (mx listener).',
  queue: 'The outbound queue: retries, delay notices, throttles.',
  outbound: 'Sending to other servers: MX routing, the SMTP client, TLS and MTA-STS.',
  spam: 'Spam verdict: content rules and signals summed into one score (see README).',
  bayes: 'The Bayesian spam classifier (trained over IMAP and by postern spam train).',
  reputation: 'Sender reputation per IP network (/24, /64) and authenticated domain.',
  dnsbl: 'DNS blocklists (RFC 5782), each "zone:weight"; empty lists ask nothing.',
  greylist: 'Greylisting of first contacts at RCPT (451 4.7.1), off by default.',
  sender_score: 'Outbound sender score: throttle, then suspend, accounts that bounce a lot.',
  dmarc: 'DMARC aggregate reports; the DNS records and MTA-STS policy of `postern dns`.',
  srs: 'Forwarding to remote addresses: SRS envelope senders and ARC seals.',
  log: 'Logging: JSON lines on stdout.',
}

const KEY_DOCS: Record<string, string> = {
  hostname: 'Name this server gives in its greeting, EHLO and Received headers.',
  'listen.smtp': 'Inbound mail from other servers (role "mx"); port 25 in production.',
  'listen.submission':
    'Mail from your users, STARTTLS + AUTH; e.g. "0.0.0.0:587" in production, "" = off.',
  'listen.submissions':
    'Mail from your users over implicit TLS; e.g. "0.0.0.0:465" in production, "" = off.',
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
  'submission.plaintext_networks':
    'Networks (CIDR) offered AUTH before STARTTLS on listen.submission; [] = TLS always.',
  'submission.max_auth_failures':
    'Failed AUTH attempts from one IP within the window, then 421 until it has passed.',
  'submission.auth_failure_window_ms': 'The window of submission.max_auth_failures (ms).',
  'submission.auth_failure_delay_ms': 'Delay before answering a failed AUTH (ms).',
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
  'auth.enabled': 'Check SPF, DKIM, DMARC and ARC of every message on listen.smtp.',
  'auth.trusted_forwarders':
    'IPs, CIDRs or host names (forward-confirmed) whose DMARC failures are excused.',
  'auth.trusted_arc_sealers': 'Domains whose ARC pass is accepted when DMARC fails.',
  'auth.dmarc_exceptions': 'From domains (and subdomains) whose DMARC policy is not enforced.',
  'auth.timeout_ms': 'Budget for the DNS of one message; then temperror, and the message goes on.',
  'queue.retry_schedule_s': 'Delays between delivery attempts (s); the last one repeats.',
  'queue.max_age_s': 'Give up on a recipient after this long (s): failure DSN.',
  'queue.delay_notice_after_s':
    'Send one delay DSN after a recipient waited this long (s); 0 = never.',
  'queue.max_concurrent': 'Deliveries in progress at once.',
  'queue.throttle': 'false turns the domain and account throttles off.',
  'queue.domain_max_concurrent': 'Deliveries in progress at once to one domain.',
  'queue.domain_max_per_minute': 'Messages per minute to one domain.',
  'queue.domain_limits': 'Per-domain overrides, e.g. ["gmail.com:3:60"] (concurrent:per minute).',
  'queue.account_max_per_hour': 'Messages one sending account may send per hour; 0 = no limit.',
  'queue.slowdown_pause_s': 'Pause of a domain that asked to slow down (s); doubles on repeats.',
  'queue.dsn_max_full_bytes': 'Above this size a DSN carries only the original headers.',
  'queue.keep_finished_s': 'How long finished messages stay for queue show (s).',
  'queue.poll_interval_ms': 'How often the scheduler also looks for due work (ms).',
  'spam.enabled': 'Score every message: X-Spam-* headers, Junk, refusal, submission pre-flight.',
  'spam.junk_threshold': 'Inbound: at or above this score the message goes to Junk.',
  'spam.reject_threshold': 'Inbound: at or above this score it is refused at end of data (550).',
  'spam.preflight_threshold': 'Submission: at or above this score it is refused with the reasons.',
  'spam.signal_budget_ms': 'Longest wait for Bayes, reputation and blocklist answers (ms).',
  'spam.keep_explanations_days': 'Delete stored verdict explanations older than this; 0 = never.',
  'bayes.enabled': 'Use the Bayes probability as a spam signal.',
  'bayes.min_spam': 'Spam messages trained before the classifier gives an opinion.',
  'bayes.min_ham': 'Ham messages trained before the classifier gives an opinion.',
  'bayes.weight': 'Score at probability 1 (minus it at 0), linear in between.',
  'reputation.enabled': 'Use sender reputation as a spam signal.',
  'reputation.weight': 'Largest score a bad reputation adds (a good one removes).',
  'reputation.min_messages': 'Messages seen from a sender before it has a reputation.',
  'reputation.correction_weight': 'Verdicts one user correction (move into/out of Junk) counts as.',
  'dnsbl.ip_lists': 'IP blocklists, "zone:weight", e.g. ["zen.spamhaus.org:3"].',
  'dnsbl.domain_lists': 'Domain blocklists for URL and sender domains, "zone:weight".',
  'dnsbl.timeout_ms': 'Budget for all blocklist questions of one message (ms).',
  'dnsbl.max_domains': 'Most URL domains of one message asked about.',
  'greylist.enabled': 'Greylist first contacts (451 4.7.1 at RCPT).',
  'greylist.delay_s': 'Seconds a new triple waits before a retry is accepted.',
  'greylist.expire_s': 'Seconds after first contact a retry still counts.',
  'greylist.remember_s': 'Seconds an accepted triple is remembered after its last message.',
  'greylist.passlist': 'Client networks (CIDR) never greylisted.',
  'greylist.skip_good_reputation': 'Networks with a good reputation skip greylisting.',
  'sender_score.enabled': 'Throttle, then suspend, accounts whose mail bounces or is refused.',
  'sender_score.window_s': 'Window the counters cover (s), in hourly steps.',
  'sender_score.min_messages': 'Messages sent in the window before the bounce rate counts.',
  'sender_score.throttle_bounce_pct': 'Bounce rate (%) above which the account is throttled.',
  'sender_score.suspend_bounce_pct': 'Bounce rate (%) above which a throttled one is suspended.',
  'sender_score.throttle_refusals': 'Pre-flight refusals in the window, then throttled.',
  'sender_score.suspend_refusals': 'Pre-flight refusals above which it is suspended.',
  'dmarc.reports': 'Send daily DMARC aggregate reports to the domains that ask (rua=).',
  'dmarc.report_hour_utc': "Hour of the UTC day at which the previous day's reports go out.",
  'dmarc.org_name': 'Organisation named in the reports; "" uses the hostname.',
  'dmarc.report_from': 'From of report mail; "" uses dmarc-reports@<first local domain>.',
  'dmarc.retention_days': 'Days DMARC evaluations are kept.',
  'dmarc.publish_policy':
    'p= of the DMARC record `postern dns` suggests: none, quarantine, reject.',
  'dmarc.server_ips': 'Public IPs of this server, added to the suggested SPF record.',
  'dmarc.mta_sts_mode': 'MTA-STS policy mode served at mta-sts.<domain>: enforce, testing, none.',
  'dmarc.mta_sts_max_age_s': 'MTA-STS policy max_age in seconds.',
  'srs.enabled': 'Rewrite the envelope sender of forwarded mail with SRS.',
  'srs.secret': 'SRS HMAC secret; "" uses DIR/srs.key (created on first start).',
  'srs.domain': 'Domain of SRS addresses; "" uses the forwarding alias\'s domain.',
  'srs.max_age_days': 'SRS addresses older than this do not reverse (their bounces are refused).',
  'srs.arc_seal': 'Add an ARC set signed with the domain DKIM key when forwarding.',
  'outbound.port': 'Port of the remote MX hosts (25; tests point it elsewhere).',
  'outbound.source_ipv4': 'Source address of IPv4 connections; "" = the system\'s choice.',
  'outbound.source_ipv6': 'Source address of IPv6 connections; "" = the system\'s choice.',
  'outbound.connect_timeout_ms': 'How long a TCP connect to an MX host may take (ms).',
  'outbound.command_timeout_ms':
    'Longest wait for the greeting and the EHLO, MAIL, RCPT replies (ms); DATA 354: 2 min at most.',
  'outbound.data_timeout_ms': 'Longest wait for the reply after the final "." (ms).',
  'outbound.mta_sts': 'Apply the MTA-STS policies (RFC 8461) of recipient domains.',
  'outbound.tls_ca': 'PEM file of trust anchors for certificate checks; "" = the system\'s.',
  'outbound.max_messages_per_connection': 'Messages sent over one connection before it is closed.',
  'outbound.idle_keep_ms': 'How long an idle connection is kept for the next message (ms).',
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
