// Wiring: opens the store, builds the services and starts every configured listener. The only
// place that constructs concrete parts. Stopping reverses it: listeners first (sessions in a
// transaction may finish), then the store, so nothing acknowledged is lost.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { BlockList, isIPv6 } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Config, ListenerName } from '../config/schema.ts'
import { resolveDataPath } from '../config/load.ts'
import { openStore } from '../store/open-store.ts'
import type { Store } from '../store/types.ts'
import { Router } from '../delivery/router.ts'
import { SmtpServer } from '../smtp-server/server.ts'
import type { SmtpServerSettings } from '../smtp-server/session-state.ts'
import { createHttpHandler } from '../http/server.ts'
import { loadTlsOptions } from '../tls/load-tls.ts'
import type { Logger } from '../telemetry/logger.ts'
import type { Metrics } from '../telemetry/metrics.ts'

export interface StartOptions {
  dataDir: string
  config: Config
  logger: Logger
  metrics: Metrics
  clock?: () => number
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
  const addresses: RunningPostern['addresses'] = {}
  const closers: ((graceMs: number) => Promise<void>)[] = []
  let ready = false
  try {
    const smtpAddress = config.listen.smtp
    if (smtpAddress !== '') {
      const server = new SmtpServer({
        deps: {
          settings: smtpSettings(config),
          store,
          router: new Router({ store, plusSeparator: config.delivery.plus_separator }),
          logger: logger.child({ proto: 'smtp' }),
          metrics,
          tls: loadTlsOptions({
            certPath: resolveDataPath(dataDir, config.tls.cert),
            keyPath: resolveDataPath(dataDir, config.tls.key),
          }),
          clock,
          sleep: (ms) => sleep(ms),
        },
        maxConnections: config.smtp.max_connections,
        maxConnectionsPerIp: config.smtp.max_connections_per_ip,
      })
      addresses.smtp = await listenOn('smtp', smtpAddress, (host, port) =>
        server.listen(host, port),
      )
      closers.push((graceMs) => server.close(graceMs))
    }
    const httpAddress = config.listen.http
    if (httpAddress !== '') {
      const http = createHttpServer(createHttpHandler({ metrics, isReady: () => ready }))
      addresses.http = await listenOn('http', httpAddress, (host, port) =>
        listenHttp(http, host, port),
      )
      closers.push(() => closeHttp(http))
    }
  } catch (err) {
    for (const close of closers.reverse()) await close(0)
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
      // SMTP first: in-flight transactions finish (their commit included) before the store closes.
      const grace = stopOpts.graceMs ?? config.smtp.shutdown_grace_ms
      for (const close of closers) await close(grace).catch(() => undefined)
      await store.close()
      logger.info({ event: 'server.stopped' })
    },
  }
}

function smtpSettings(config: Config): SmtpServerSettings {
  const trusted = new BlockList()
  for (const cidr of config.smtp.trusted_networks) {
    const [net, bits] = cidr.split('/')
    const type = net !== undefined && isIPv6(net) ? 'ipv6' : 'ipv4'
    const prefix = bits === undefined ? (type === 'ipv6' ? 128 : 32) : Number(bits)
    trusted.addSubnet(net ?? '', prefix, type)
  }
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
    isTrustedClient: (ip) => {
      const v6 = isIPv6(ip)
      const mapped = v6 && ip.startsWith('::ffff:') ? ip.slice(7) : undefined
      if (mapped !== undefined) return trusted.check(mapped, 'ipv4')
      return trusted.check(ip, v6 ? 'ipv6' : 'ipv4')
    },
  }
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
