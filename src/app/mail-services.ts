// Builds the services behind the SMTP listeners (mx and submission share them): email
// authentication, the spam verdict with its learning signals, DMARC reports with SRS/ARC
// forwarding, and the outbound queue with its transport. Part of app/ (the only place that
// constructs concrete parts); start.ts calls it once.
import type { Config } from '../config/schema.ts'
import { resolveDataPath } from '../config/load.ts'
import type { Store } from '../store/types.ts'
import { Router } from '../delivery/router.ts'
import type { SmtpDeps, SmtpServerSettings } from '../smtp-server/session-state.ts'
import type { Logger } from '../telemetry/logger.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import type { DnsResolver } from '../dns/resolver.ts'
import type { Transport } from '../outbound/transport.ts'
import { createSmtpTransport } from '../outbound/smtp-transport.ts'
import { transportOptionsFromConfig } from '../outbound/transport-config.ts'
import { createQueueService, type QueueService } from '../queue/queue-service.ts'
import { EmailAuthenticator } from '../email-auth/authenticator.ts'
import { createSpamService } from '../spam/service.ts'
import { createSpamLearning, type SpamLearning } from './spam-learning.ts'
import { createDmarcServices, type DmarcServices } from './dmarc-services.ts'
import { networkMatcher } from './network-matcher.ts'
import { createGeneratedMailSigner } from './generated-mail-dkim.ts'
import { setTimeout as sleep } from 'node:timers/promises'

export interface MailServicesOptions {
  config: Config
  dataDir: string
  store: Store
  resolver: DnsResolver
  tls: { cert: Buffer; key: Buffer }
  logger: Logger
  metrics: Metrics
  clock: () => number
  /** The outbound transport; by default SMTP to the recipient domains' MX hosts. */
  transport: Transport | undefined
  /** Where services register how they stop (start.ts runs them on stop). */
  closers: ((graceMs: number) => Promise<void>)[]
  finalizers: (() => void)[]
}

export interface MailServices {
  smtpDeps: SmtpDeps
  queue: QueueService
  learning: SpamLearning
  dmarc: DmarcServices
}

export function buildMailServices(opts: MailServicesOptions): MailServices {
  const { config, dataDir, store, resolver, tls, logger, metrics, clock, closers, finalizers } =
    opts
  // Content rules + signal sources -> X-Spam-* / Junk / 550 (mx) and pre-flight (submission).
  // Bayes, reputation, DNS blocklists, greylisting, sender score (spam-learning.ts).
  const learning = createSpamLearning({ config, store, resolver, logger, clock })
  const spamService = createSpamService({
    config,
    store,
    clock,
    signals: learning.signals,
    observer: learning.observer,
  })
  finalizers.push(() => {
    spamService.close()
  })
  // DSNs and DMARC reports are DKIM-signed like submitted mail (the From domain's keys).
  const generatedSigner = createGeneratedMailSigner({
    config,
    dataDir,
    store,
    clock,
    logger: logger.child({ proto: 'dkim' }),
  })
  // SRS + ARC on forwarding, daily DMARC aggregate reports, the MTA-STS policy (HTTP).
  const dmarc = createDmarcServices({
    config,
    dataDir,
    store,
    resolver,
    clock,
    logger,
    signer: generatedSigner,
  })
  dmarc.start()
  closers.push(() => dmarc.stop())
  // One router for the listeners and the queue: SRS addresses of forwarded mail reverse to the
  // original sender, so a DSN about a forwarded message goes back to where it came from.
  const router = new Router({
    store,
    plusSeparator: config.delivery.plus_separator,
    ...(dmarc.srs === undefined ? {} : { srs: dmarc.srs }),
  })
  // The outbound queue: scheduler, retries, DSNs, suppression list, throttles (src/queue/).
  const senderScore = learning.senderScore
  const queue = createQueueService({
    config: config.queue,
    hostname: config.hostname,
    store,
    router,
    transport:
      opts.transport ??
      createSmtpTransport({
        ...transportOptionsFromConfig(config.outbound, (p) => resolveDataPath(dataDir, p)),
        resolver,
        hostname: config.hostname,
        clock,
        logger: logger.child({ proto: 'smtp-out' }),
      }),
    clock,
    logger: logger.child({ proto: 'queue' }),
    metrics,
    dsnSigner: generatedSigner,
    // Deliveries and bounces of submitted mail feed the outbound sender score.
    ...(senderScore === undefined
      ? {}
      : { onOutcome: (id, outcome) => senderScore.recordOutcome(id, outcome) }),
  })
  // Shared by the mx listener and the submission listeners (submission-listeners.ts).
  const smtpDeps: SmtpDeps = {
    settings: smtpSettings(config),
    store,
    resolver,
    ...(config.auth.enabled ? { emailAuth: emailAuthenticator(config) } : {}),
    ...(spamService.stage === undefined ? {} : { spam: spamService.stage }),
    rcptChecks: [...learning.rcptChecks, queue.rcptCheck],
    // The outbound sender score refuses MAIL of throttled / suspended accounts (submission).
    ...(learning.senderScore === undefined
      ? {}
      : { senderCheck: learning.senderScore.checkSender.bind(learning.senderScore) }),
    onQueued: () => {
      queue.wake()
    },
    router,
    ...(dmarc.forwarding === undefined ? {} : { forwarding: dmarc.forwarding }),
    logger: logger.child({ proto: 'smtp' }),
    metrics,
    tls,
    clock,
    sleep: (ms) => sleep(ms),
  }
  return { smtpDeps, queue, learning, dmarc }
}

function smtpSettings(config: Config): SmtpServerSettings {
  const s = config.smtp
  return {
    role: 'mx',
    hostname: config.hostname,
    maxMessageBytes: s.max_message_bytes,
    maxLineBytes: s.max_line_bytes,
    maxRecipients: s.max_recipients,
    maxErrors: s.max_errors,
    idleTimeoutMs: s.idle_timeout_ms,
    sessionTimeoutMs: s.session_timeout_ms,
    errorDelayMs: s.error_delay_ms,
    maxReceivedHeaders: s.max_received_headers,
    isTrustedClient: networkMatcher(s.trusted_networks),
  }
}

/** SPF, DKIM, DMARC and ARC of inbound mail, with the local policy of the auth section. */
function emailAuthenticator(config: Config): EmailAuthenticator {
  const a = config.auth
  return new EmailAuthenticator({
    authservId: config.hostname,
    timeoutMs: a.timeout_ms,
    trustedForwarders: a.trusted_forwarders,
    trustedArcSealers: a.trusted_arc_sealers,
    dmarcExceptions: a.dmarc_exceptions,
  })
}
