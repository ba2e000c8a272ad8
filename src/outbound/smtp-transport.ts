// The SMTP transport (the Transport contract of transport.ts): delivers one message to the
// recipients of one domain. MTA-STS first (RFC 8461 5: which MX hosts are allowed and whether
// verified TLS is required), then MX routing (mx.ts, RFC 5321 5.1), then each MX host in
// order and each of its addresses until one session carries the transaction
// (smtp-session.ts, smtp-transaction.ts). A host that cannot be reached, refuses the session or
// breaks the connection is skipped; when every host failed the outcome is temporary for all.
// Replies after MAIL decide (no next host). Sessions are kept in a pool for the next message
// to the same host (connection-pool.ts).
//
// Invariants:
// - the outcome has one entry per recipient of the request, always;
// - every attempt is bounded: at most maxAddresses connections per delivery, each step under
//   its own timeout;
// - deliver() never throws for remote or DNS trouble: it answers with outcomes.
import type { Logger } from '../telemetry/logger.ts'
import type { DnsResolver } from '../dns/resolver.ts'
import {
  C421ServiceUnavailable,
  C451LocalError,
  C550MailboxUnavailable,
  C554TransactionFailed,
  Es441NoAnswer,
  Es443DirectoryFailure,
  Es475CryptoFailure,
  Es512BadDestSystem,
  Es546RoutingLoop,
  Es5110RecipientNullMx,
} from '../smtp/codes.ts'
import type { SmtpReply } from '../smtp-client/reply.ts'
import type {
  DeliveryOutcome,
  DeliveryRequest,
  RecipientOutcome,
  RemoteReply,
  Transport,
} from './transport.ts'
import { lookupMx, resolveHostAddresses, type HostAddress, type MxHost } from './mx.ts'
import { mxMatchesPolicy } from './mta-sts.ts'
import {
  MtaStsPolicyCache,
  createHttpsPolicyFetcher,
  type CachedPolicy,
  type PolicyFetcher,
} from './mta-sts-policy-cache.ts'
import { ConnectionPool } from './connection-pool.ts'
import { ConnectionFailure, endpoint, type SmtpConnection } from './smtp-connection.ts'
import {
  HostFailure,
  connectionLost,
  localReply,
  openSession,
  type OutboundTimeouts,
  type TlsLevel,
} from './smtp-session.ts'
import { runTransaction } from './smtp-transaction.ts'

export interface SmtpTransportOptions {
  resolver: DnsResolver
  /** Our name in EHLO; a server greeting with this name is ourselves (a loop). */
  hostname: string
  /** Remote port (25; tests use others). */
  port?: number
  /** Source addresses to bind, per family ('' or absent: the system's choice). */
  sourceIpv4?: string
  sourceIpv6?: string
  timeouts?: Partial<OutboundTimeouts>
  /** Trust anchors for certificate checks instead of the system's (tests: the test CA). */
  tlsCa?: string | Buffer | (string | Buffer)[]
  /** MTA-STS: on (default) with this fetcher (default: HTTPS), or off. */
  mtaSts?: boolean
  mtaStsFetcher?: PolicyFetcher
  /** Or a ready cache (shared, or inspected by tests). */
  mtaStsCache?: MtaStsPolicyCache
  maxMessagesPerConnection?: number
  idleKeepMs?: number
  /** Connections tried per delivery, over all MX hosts and addresses. */
  maxAddresses?: number
  /** Address families in the order tried. */
  families?: readonly (4 | 6)[]
  clock?: () => number
  random?: () => number
  logger?: Logger
}

export const DEFAULT_TIMEOUTS: OutboundTimeouts = {
  connectMs: 30_000,
  commandMs: 300_000,
  dataInitMs: 120_000,
  dataBlockMs: 180_000,
  dataEndMs: 600_000,
}

/**
 * 421, a 4.7.x enhanced code, or a 4xx that talks about rates: the remote wants less. A
 * greylisting deferral (RFC 6647 2.1: a 4xx, usually 451 4.7.1, for one sender and recipient)
 * is not: the domain as a whole is not asking us to slow down, so only that recipient waits.
 */
export function isSlowDownReply(reply: { code: number; enhanced?: string; text: string }): boolean {
  if (reply.code === C421ServiceUnavailable) return true
  if (reply.code < 400 || reply.code >= 500) return false
  if (/gr[ae]y.?list/i.test(reply.text)) return false
  if (reply.enhanced?.startsWith('4.7.') === true) return true
  return /rate.?limit|too many|slow down|throttl/i.test(reply.text)
}

export function createSmtpTransport(opts: SmtpTransportOptions): SmtpTransport {
  return new SmtpTransport(opts)
}

interface DeliveryContext {
  request: DeliveryRequest
  log: string[]
  slowDown: boolean
  tls: TlsLevel
  policy?: CachedPolicy
}

type AddressResult =
  | { kind: 'done'; recipients: RecipientOutcome[] }
  | { kind: 'failed'; failure: HostFailure; remoteHost?: string }

export class SmtpTransport implements Transport {
  readonly #opts: SmtpTransportOptions
  readonly #timeouts: OutboundTimeouts
  readonly #pool: ConnectionPool
  readonly #mtaSts: MtaStsPolicyCache | undefined

  constructor(opts: SmtpTransportOptions) {
    this.#opts = opts
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts }
    this.#pool = new ConnectionPool({
      maxMessagesPerConnection: opts.maxMessagesPerConnection ?? 100,
      idleKeepMs: opts.idleKeepMs ?? 10_000,
      quitTimeoutMs: Math.min(this.#timeouts.commandMs, 5000),
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
    })
    const enabled = opts.mtaSts ?? true
    this.#mtaSts = !enabled
      ? undefined
      : (opts.mtaStsCache ??
        new MtaStsPolicyCache({
          resolver: opts.resolver,
          fetcher:
            opts.mtaStsFetcher ??
            createHttpsPolicyFetcher({
              resolver: opts.resolver,
              ...(opts.tlsCa === undefined ? {} : { ca: opts.tlsCa }),
            }),
          ...(opts.clock === undefined ? {} : { clock: opts.clock }),
        }))
  }

  /** Idle sessions in the pool (tests). */
  get idleConnections(): number {
    return this.#pool.idleCount
  }

  async close(): Promise<void> {
    await this.#pool.close()
  }

  async deliver(request: DeliveryRequest): Promise<DeliveryOutcome> {
    const ctx: DeliveryContext = { request, log: [], slowDown: false, tls: 'opportunistic' }
    const recipients = await this.#deliver(ctx)
    const outcome: DeliveryOutcome = { recipients, log: ctx.log }
    if (ctx.slowDown || recipients.some((r) => isSlowDownReply(r.reply))) outcome.slowDown = true
    this.#opts.logger?.debug(
      { event: 'outbound.delivery', domain: request.domain, outcome: summary(recipients) },
      'outbound delivery',
    )
    return outcome
  }

  async #deliver(ctx: DeliveryContext): Promise<RecipientOutcome[]> {
    const { request } = ctx
    if (request.recipients.length === 0) return []
    const all = (kind: RecipientOutcome['kind'], reply: RemoteReply): RecipientOutcome[] =>
      request.recipients.map((r) => ({ id: r.id, kind, reply }))
    await this.#applyMtaSts(ctx)
    const mx = await lookupMx(request.domain, {
      resolver: this.#opts.resolver,
      ...(this.#opts.random === undefined ? {} : { random: this.#opts.random }),
    })
    switch (mx.kind) {
      case 'null-mx':
        ctx.log.push(`${request.domain}: null MX, the domain accepts no mail`)
        // RFC 7505 4.1: a null MX is a permanent failure with 5.1.10.
        return all(
          'permanent',
          localReply(
            C550MailboxUnavailable,
            Es5110RecipientNullMx,
            `${request.domain} accepts no mail (null MX)`,
          ),
        )
      case 'no-domain':
        ctx.log.push(mx.detail)
        return all('permanent', localReply(C550MailboxUnavailable, Es512BadDestSystem, mx.detail))
      case 'temporary':
        ctx.log.push(`DNS: ${mx.detail}`)
        return all(
          'temporary',
          localReply(C451LocalError, Es443DirectoryFailure, `DNS: ${mx.detail}`),
        )
      case 'hosts':
        break
    }
    ctx.log.push(`MX: ${mx.hosts.map((h) => `${h.name}(${String(h.preference)})`).join(' ')}`)
    const hosts = this.#allowedHosts(ctx, mx.hosts)
    if (hosts.length === 0) {
      this.#policyFailed(ctx)
      return all(
        'temporary',
        localReply(C451LocalError, Es475CryptoFailure, 'no MX host matches the MTA-STS policy'),
      )
    }
    return this.#tryHosts(ctx, hosts)
  }

  /** RFC 8461 5: find the policy; enforce = verified TLS; testing = log only. */
  async #applyMtaSts(ctx: DeliveryContext): Promise<void> {
    if (!this.#mtaSts) return
    const found = await this.#mtaSts.lookup(ctx.request.domain)
    ctx.log.push(...found.log)
    if (found.policy === undefined) return
    ctx.policy = found.policy
    if (found.policy.policy.mode === 'enforce') ctx.tls = 'verified'
  }

  /** RFC 8461 4.1: in enforce mode only MX hosts matching the policy are used. */
  #allowedHosts(ctx: DeliveryContext, hosts: MxHost[]): MxHost[] {
    const policy = ctx.policy?.policy
    if (policy === undefined || policy.mode === 'none') return hosts
    const allowed = hosts.filter((h) => mxMatchesPolicy(h.name, policy.mx))
    for (const h of hosts) {
      if (allowed.includes(h)) continue
      ctx.log.push(`MTA-STS (${policy.mode}): ${h.name} does not match ${policy.mx.join(', ')}`)
    }
    return policy.mode === 'enforce' ? allowed : hosts
  }

  /** RFC 8461 5.1: before giving up on an enforce policy, look for a newer one next time. */
  #policyFailed(ctx: DeliveryContext): void {
    if (ctx.policy?.policy.mode !== 'enforce') return
    ctx.log.push('MTA-STS: delivery failed under an enforce policy; it will be fetched again')
    this.#mtaSts?.invalidate(ctx.request.domain)
  }

  async #tryHosts(ctx: DeliveryContext, hosts: MxHost[]): Promise<RecipientOutcome[]> {
    const maxAddresses = this.#opts.maxAddresses ?? 10
    let tried = 0
    let last: { failure: HostFailure; remoteHost?: string } | undefined
    let policyFailures = 0
    for (const host of hosts) {
      if (tried >= maxAddresses) break
      const addresses = await this.#addresses(ctx, host)
      for (const addr of addresses) {
        if (tried >= maxAddresses) break
        tried += 1
        const result = await this.#tryAddress(ctx, host, addr)
        if (result.kind === 'done') return result.recipients
        last = result
        if (result.failure.kind === 'tls-policy') policyFailures += 1
        if (result.failure.kind === 'loop') return this.#allWith(ctx, 'permanent', result)
      }
    }
    if (policyFailures > 0) this.#policyFailed(ctx)
    if (last === undefined) {
      const text = `no address found for ${hosts.map((h) => h.name).join(', ')}`
      ctx.log.push(text)
      return this.#allWith(ctx, 'temporary', {
        failure: new HostFailure('connection', localReply(C451LocalError, Es441NoAnswer, text)),
      })
    }
    // RFC 5321 5.1: every host failed: try again later (temporary, whatever the last reply).
    return this.#allWith(ctx, 'temporary', last)
  }

  #allWith(
    ctx: DeliveryContext,
    kind: RecipientOutcome['kind'],
    last: { failure: HostFailure; remoteHost?: string },
  ): RecipientOutcome[] {
    return ctx.request.recipients.map((r) => {
      const outcome: RecipientOutcome = { id: r.id, kind, reply: last.failure.reply }
      if (last.remoteHost !== undefined) outcome.remoteHost = last.remoteHost
      return outcome
    })
  }

  async #addresses(ctx: DeliveryContext, host: MxHost): Promise<HostAddress[]> {
    const found = await resolveHostAddresses(host.name, {
      resolver: this.#opts.resolver,
      ...(this.#opts.families === undefined ? {} : { families: this.#opts.families }),
    })
    if (found.temporary !== undefined) ctx.log.push(`DNS: ${found.temporary}`)
    if (found.addresses.length === 0) ctx.log.push(`${host.name}: no address records`)
    return found.addresses
  }

  /**
   * One address: a pooled session or a new one, then the transaction. Bounded retries: a
   * pooled session that turns out dead is replaced once by a fresh one; a failed TLS
   * handshake under opportunistic TLS is retried once in clear text.
   */
  async #tryAddress(ctx: DeliveryContext, host: MxHost, addr: HostAddress): Promise<AddressResult> {
    const port = this.#opts.port ?? 25
    const key = `${host.name}|${endpoint(addr.ip, port)}`
    let tls = ctx.tls
    let conn = this.#pool.acquire(key, (c) => tls !== 'verified' || c.tlsState === 'verified')
    let reused = conn !== undefined
    if (conn) ctx.log.push(`${host.name} ${endpoint(addr.ip, port)}: reusing connection`)
    for (let round = 0; round < 3; round++) {
      if (conn === undefined) {
        const opened = await this.#open(ctx, host, addr, tls)
        if (opened instanceof HostFailure) {
          if (opened.kind === 'tls-handshake' && tls === 'opportunistic') {
            ctx.log.push(`${host.name}: retrying without TLS`)
            tls = 'off'
            continue
          }
          return { kind: 'failed', failure: opened }
        }
        conn = opened
      }
      const loop = this.#loopCheck(ctx, conn)
      if (loop) return loop
      try {
        const result = await runTransaction(conn, ctx.request, this.#sessionHooks(ctx))
        if (result.reusable) this.#pool.release(key, conn)
        else await conn.quit(2000)
        return { kind: 'done', recipients: result.recipients }
      } catch (err) {
        conn.destroy()
        if (!(err instanceof ConnectionFailure)) throw err
        const failure = connectionLost(conn.label, err, (l) => ctx.log.push(l))
        if (!reused) return { kind: 'failed', failure, remoteHost: conn.label }
        reused = false
        conn = undefined
      }
    }
    return {
      kind: 'failed',
      failure: new HostFailure(
        'connection',
        localReply(C451LocalError, Es441NoAnswer, `${host.name}: gave up`),
      ),
    }
  }

  async #open(
    ctx: DeliveryContext,
    host: MxHost,
    addr: HostAddress,
    tls: TlsLevel,
  ): Promise<SmtpConnection | HostFailure> {
    const source = addr.family === 6 ? this.#opts.sourceIpv6 : this.#opts.sourceIpv4
    try {
      return await openSession({
        ip: addr.ip,
        port: this.#opts.port ?? 25,
        hostName: host.name,
        ehloName: this.#opts.hostname,
        tls,
        ...(source === undefined || source === '' ? {} : { localAddress: source }),
        ...(this.#opts.tlsCa === undefined ? {} : { ca: this.#opts.tlsCa }),
        ...this.#sessionHooks(ctx),
      })
    } catch (err) {
      if (err instanceof HostFailure) return err
      throw err
    }
  }

  #sessionHooks(ctx: DeliveryContext): {
    timeouts: OutboundTimeouts
    log: (line: string) => void
    onReply: (reply: SmtpReply) => void
  } {
    return {
      timeouts: this.#timeouts,
      log: (line) => ctx.log.push(line),
      onReply: (reply) => {
        const text = reply.lines.join(' ')
        const r =
          reply.enhanced === undefined
            ? { code: reply.code, text }
            : { code: reply.code, enhanced: reply.enhanced, text }
        if (isSlowDownReply(r)) ctx.slowDown = true
      },
    }
  }

  /** A server that greets with our own name is ourselves: mail would loop (RFC 5321 6.3). */
  #loopCheck(ctx: DeliveryContext, conn: SmtpConnection): AddressResult | undefined {
    const name = conn.capabilities?.serverName
    if (name === undefined || name !== this.#opts.hostname.toLowerCase()) return undefined
    const text = `mail for ${ctx.request.domain} loops back to myself (${conn.label})`
    ctx.log.push(text)
    void conn.quit(2000)
    return {
      kind: 'failed',
      failure: new HostFailure('loop', localReply(C554TransactionFailed, Es546RoutingLoop, text)),
      remoteHost: conn.label,
    }
  }
}

function summary(recipients: RecipientOutcome[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of recipients) out[r.kind] = (out[r.kind] ?? 0) + 1
  return out
}
