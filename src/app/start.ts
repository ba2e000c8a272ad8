// Wiring: opens the store, builds the services and starts every configured listener. The only
// place that constructs concrete parts. Stopping reverses it: listeners first (sessions in a
// transaction may finish), then the store, so nothing acknowledged is lost.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Config, ListenerName } from '../config/schema.ts'
import { resolveDataPath } from '../config/load.ts'
import { openStore } from '../store/open-store.ts'
import type { Store } from '../store/types.ts'
import { SmtpServer } from '../smtp-server/server.ts'
import { startSubmissionListeners } from './submission-listeners.ts'
import { buildMailServices } from './mail-services.ts'
import { networkMatcher } from './network-matcher.ts'
import { Pop3Server } from '../pop3-server/server.ts'
import { MailboxLocks } from '../pop3-server/mailbox-locks.ts'
import { ImapServer } from '../imap-server/server.ts'
import { MailboxHub } from '../imap-server/mailbox-hub.ts'
import { createHttpHandler } from '../http/server.ts'
import { loadTlsOptions } from '../tls/load-tls.ts'
import type { Logger } from '../telemetry/logger.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import { createNetworkResolver, type DnsResolver } from '../dns/resolver.ts'
import type { Transport } from '../outbound/transport.ts'
import type { JunkTrainingHook } from '../spam/bayes/junk-trainer.ts'

export interface StartOptions {
  dataDir: string
  config: Config
  logger: Logger
  metrics: Metrics
  clock?: () => number
  /** DNS answers; by default the resolvers of dns.servers (tests inject their own). */
  resolver?: DnsResolver
  /** The outbound transport; by default SMTP to the recipient domains' MX hosts. */
  transport?: Transport
}

export interface RunningPostern {
  addresses: Partial<Record<ListenerName, { host: string; port: number }>>
  store: Store
  stop(opts?: { graceMs?: number }): Promise<void>
}

/** A listener could not be opened: names the listener, the address and the reason. */
export class ListenError extends Error {
  constructor(listener: ListenerName, address: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`cannot listen for ${listener} on ${address}: ${reason}`, { cause })
    this.name = 'ListenError'
  }
}

export async function startPostern(opts: StartOptions): Promise<RunningPostern> {
  const { config, logger, metrics, dataDir } = opts
  const clock = opts.clock ?? Date.now
  const store = openStore({
    path: resolveDataPath(dataDir, config.store.path),
    url: config.store.url,
    clock,
    onCommit: ({ seconds }) => {
      metrics.storeCommits.inc()
      metrics.storeCommitSeconds.observe(seconds)
    },
  })
  const resolver =
    opts.resolver ??
    createNetworkResolver({
      servers: config.dns.servers,
      timeoutMs: config.dns.timeout_ms,
      clock,
    })
  const addresses: RunningPostern['addresses'] = {}
  // Listeners close together, each giving its sessions the grace period; finalizers run after.
  const closers: ((graceMs: number) => Promise<void>)[] = []
  const finalizers: (() => void)[] = []
  const closeAll = async (graceMs: number): Promise<void> => {
    await Promise.all(closers.map((close) => close(graceMs).catch(() => undefined)))
    for (const finalize of finalizers) finalize()
  }
  let ready = false
  try {
    const tls = loadTlsOptions({
      certPath: resolveDataPath(dataDir, config.tls.cert),
      keyPath: resolveDataPath(dataDir, config.tls.key),
    })
    const { smtpDeps, queue, learning, dmarc } = buildMailServices({
      config,
      dataDir,
      store,
      resolver,
      tls,
      logger,
      metrics,
      clock,
      transport: opts.transport,
      closers,
      finalizers,
    })
    const smtpAddress = config.listen.smtp
    if (smtpAddress !== '') {
      const server = new SmtpServer({
        deps: smtpDeps,
        maxConnections: config.smtp.max_connections,
        maxConnectionsPerIp: config.smtp.max_connections_per_ip,
      })
      addresses.smtp = await listenOn('smtp', smtpAddress, (host, port) =>
        server.listen(host, port),
      )
      closers.push((graceMs) => server.close(graceMs))
    }
    await startSubmissionListeners({
      config,
      dataDir,
      smtpDeps,
      isPlaintextNetwork: networkMatcher(config.submission.plaintext_networks),
      addresses,
      closers,
      listenOn,
    })
    const listenerCtx = {
      ...opts,
      clock,
      store,
      tls,
      addresses,
      closers,
      finalizers,
      junkTrainer: learning.junkTrainer,
    }
    await startPop3Listeners(listenerCtx)
    await startImapListeners(listenerCtx)
    const httpAddress = config.listen.http
    if (httpAddress !== '') {
      const http = createHttpServer(
        createHttpHandler({
          metrics,
          isReady: () => ready,
          explanations: store.spamExplanations,
          mtaSts: dmarc.mtaSts,
        }),
      )
      addresses.http = await listenOn('http', httpAddress, (host, port) =>
        listenHttp(http, host, port),
      )
      closers.push(() => closeHttp(http))
    }
    // After the listeners: in-flight deliveries get the grace period, then the store closes.
    await queue.start()
    closers.push((graceMs) => queue.stop({ graceMs }))
  } catch (err) {
    await closeAll(0)
    await store.close()
    throw err
  }
  ready = true
  logger.info({ event: 'server.listening', addresses })
  return {
    addresses,
    store,
    async stop(stopOpts = {}) {
      ready = false
      logger.info({ event: 'server.stopping' })
      // Sessions in progress finish (their commits included) before the store closes.
      await closeAll(stopOpts.graceMs ?? config.smtp.shutdown_grace_ms)
      await store.close()
      logger.info({ event: 'server.stopped' })
    },
  }
}

/** What the POP3 and IMAP listener set-ups share with startPostern. */
interface ListenerContext extends StartOptions {
  clock: () => number
  store: Store
  tls: { cert: Buffer; key: Buffer }
  addresses: RunningPostern['addresses']
  closers: ((graceMs: number) => Promise<void>)[]
  finalizers: (() => void)[]
  /** Trains the spam filter from moves into / out of Junk (IMAP). */
  junkTrainer?: JunkTrainingHook
}

/**
 * The pop3 (STLS) and pop3s (implicit TLS) listeners, when configured. They share one
 * MailboxLocks, so a maildrop is held by one POP3 session whichever listener it came in on.
 */
async function startPop3Listeners(ctx: ListenerContext): Promise<void> {
  const { config } = ctx
  const listeners = (['pop3', 'pop3s'] as const).filter((name) => config.listen[name] !== '')
  if (listeners.length === 0) return
  const locks = new MailboxLocks()
  const p = config.pop3
  const isPlaintextNetwork = networkMatcher(p.plaintext_networks)
  for (const listener of listeners) {
    const server = new Pop3Server({
      deps: {
        settings: {
          listener,
          hostname: config.hostname,
          maxLineBytes: p.max_line_bytes,
          maxBadCommands: p.max_bad_commands,
          maxLoginFailures: p.max_login_failures,
          loginFailureDelayMs: p.login_failure_delay_ms,
          idleTimeoutMs: p.idle_timeout_ms,
          isPlaintextAllowed: isPlaintextNetwork,
        },
        store: ctx.store,
        locks,
        logger: ctx.logger.child({ proto: 'pop3' }),
        metrics: ctx.metrics,
        tls: ctx.tls,
        clock: ctx.clock,
        sleep: (ms) => sleep(ms),
      },
      isImplicitTls: listener === 'pop3s',
      maxConnections: p.max_connections,
      maxConnectionsPerIp: p.max_connections_per_ip,
    })
    ctx.addresses[listener] = await listenOn(listener, config.listen[listener], (host, port) =>
      server.listen(host, port),
    )
    ctx.closers.push((graceMs) => server.close(graceMs))
  }
}

/**
 * The imap (STARTTLS) and imaps (implicit TLS) listeners, when configured. They share one
 * MailboxHub: the store's change feed for live updates, and the per-account session count.
 */
async function startImapListeners(ctx: ListenerContext): Promise<void> {
  const { config } = ctx
  const listeners = (['imap', 'imaps'] as const).filter((name) => config.listen[name] !== '')
  if (listeners.length === 0) return
  const c = config.imap
  const hub = new MailboxHub({
    store: ctx.store,
    maxConnectionsPerAccount: c.max_connections_per_account,
  })
  const isPlaintextNetwork = networkMatcher(c.plaintext_networks)
  for (const listener of listeners) {
    const server = new ImapServer({
      deps: {
        settings: {
          listener,
          hostname: config.hostname,
          maxLineBytes: c.max_line_bytes,
          maxLiteralBytes: c.max_append_bytes,
          maxBadCommands: c.max_bad_commands,
          maxLoginFailures: c.max_login_failures,
          loginFailureDelayMs: c.login_failure_delay_ms,
          idleTimeoutMs: c.idle_timeout_ms,
          maxConnectionsPerAccount: c.max_connections_per_account,
          isPlaintextAllowed: isPlaintextNetwork,
        },
        store: ctx.store,
        hub,
        accountSlots: hub,
        ...(ctx.junkTrainer === undefined ? {} : { junkTrainer: ctx.junkTrainer }),
        logger: ctx.logger.child({ proto: 'imap' }),
        metrics: ctx.metrics,
        tls: ctx.tls,
        clock: ctx.clock,
        sleep: (ms) => sleep(ms),
      },
      isImplicitTls: listener === 'imaps',
      maxConnections: c.max_connections,
      maxConnectionsPerIp: c.max_connections_per_ip,
    })
    ctx.addresses[listener] = await listenOn(listener, config.listen[listener], (host, port) =>
      server.listen(host, port),
    )
    ctx.closers.push((graceMs) => server.close(graceMs))
  }
  // After the servers: sessions end before the feed stops.
  ctx.finalizers.push(() => {
    hub.close()
  })
}

async function listenOn(
  name: ListenerName,
  address: string,
  listen: (host: string, port: number) => Promise<{ address: string; port: number }>,
): Promise<{ host: string; port: number }> {
  const cut = address.lastIndexOf(':')
  const host = address.slice(0, cut).replace(/^\[|\]$/g, '')
  const port = Number(address.slice(cut + 1))
  try {
    const info = await listen(host, port)
    return { host: info.address, port: info.port }
  } catch (err) {
    throw new ListenError(name, address, err)
  }
}

function listenHttp(
  server: HttpServer,
  host: string,
  port: number,
): Promise<{ address: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port }, () => {
      server.off('error', reject)
      const info = server.address()
      if (info === null || typeof info === 'string') reject(new Error('no address'))
      else resolve({ address: info.address, port: info.port })
    })
  })
}

function closeHttp(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve()
    })
    server.closeAllConnections()
  })
}
