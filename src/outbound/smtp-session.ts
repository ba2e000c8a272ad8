// Opening a client session to one MX address (RFC 5321 3.1, 4.1.1.1; RFC 3207): connect, read
// the greeting, EHLO with our name (HELO when EHLO gets a 5xx, RFC 5321 3.2), STARTTLS when
// offered and allowed, then EHLO again inside TLS (RFC 3207 4.2). The TLS level decides what a
// weak result means:
// - 'opportunistic': any TLS the server offers is used, a certificate that does not verify is
//   accepted (Postfix's "may" level); a failed handshake is reported so the caller can retry
//   that host in clear text;
// - 'verified': STARTTLS and a certificate valid for the MX name are required (MTA-STS
//   enforce, RFC 8461 4.2); anything less fails this host;
// - 'off': clear text (the retry after a failed handshake).
// Failures are HostFailure: the caller moves on to the next host.
import { Es441NoAnswer, Es442BadConnection, Es475CryptoFailure } from '../smtp/codes.ts'
import { ehloCommand, heloCommand, STARTTLS_COMMAND } from '../smtp-client/commands.ts'
import { heloCapabilities, parseEhlo } from '../smtp-client/ehlo.ts'
import { formatReplyForLog, type SmtpReply } from '../smtp-client/reply.ts'
import type { RemoteReply } from './transport.ts'
import { ConnectionFailure, SmtpConnection, endpoint } from './smtp-connection.ts'

export interface OutboundTimeouts {
  connectMs: number
  /** Greeting, EHLO, STARTTLS, MAIL, RCPT, RSET (RFC 5321 4.5.3.2: 5 minutes). */
  commandMs: number
  /** DATA's 354 (RFC 5321 4.5.3.2.5: 2 minutes). */
  dataInitMs: number
  /** Writing a block of the body (RFC 5321 4.5.3.2.6: 3 minutes). */
  dataBlockMs: number
  /** The reply after the final "." (RFC 5321 4.5.3.2.7: 10 minutes). */
  dataEndMs: number
}

export type TlsLevel = 'opportunistic' | 'verified' | 'off'

export type HostFailureKind = 'connection' | 'rejected' | 'tls-handshake' | 'tls-policy' | 'loop'

/** This host could not be used; `reply` is the server's or a synthesised one. */
export class HostFailure extends Error {
  readonly kind: HostFailureKind
  readonly reply: RemoteReply
  /** The server answered (greeting or EHLO) with this reply. */
  readonly fromServer: boolean

  constructor(
    kind: HostFailureKind,
    reply: RemoteReply,
    opts: { fromServer?: boolean; cause?: unknown } = {},
  ) {
    super(`${String(reply.code)} ${reply.enhanced ?? ''} ${reply.text}`, { cause: opts.cause })
    this.name = 'HostFailure'
    this.kind = kind
    this.reply = reply
    this.fromServer = opts.fromServer ?? false
  }
}

export interface OpenSessionOptions {
  ip: string
  port: number
  hostName: string
  /** Our EHLO name. */
  ehloName: string
  localAddress?: string
  tls: TlsLevel
  ca?: string | Buffer | (string | Buffer)[]
  timeouts: OutboundTimeouts
  log: (line: string) => void
  /** Every reply read, for slow-down detection. */
  onReply?: (reply: SmtpReply) => void
}

export function toRemoteReply(reply: SmtpReply): RemoteReply {
  const out: RemoteReply = { code: reply.code, text: reply.lines.join(' ').trim() }
  if (reply.enhanced !== undefined) out.enhanced = reply.enhanced
  return out
}

/** A synthesised temporary reply for local failures (connect, timeout, TLS). */
export function localReply(code: number, enhanced: string, text: string): RemoteReply {
  return { code, enhanced, text }
}

export async function openSession(opts: OpenSessionOptions): Promise<SmtpConnection> {
  const where = `${opts.hostName} ${endpoint(opts.ip, opts.port)}`
  let conn: SmtpConnection
  try {
    conn = await SmtpConnection.open({
      ip: opts.ip,
      port: opts.port,
      hostName: opts.hostName,
      connectTimeoutMs: opts.timeouts.connectMs,
      ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
    })
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err)
    opts.log(`${where}: connect failed: ${text}`)
    throw new HostFailure('connection', localReply(421, Es441NoAnswer, `${where}: ${text}`), {
      cause: err,
    })
  }
  opts.log(
    `${where}: connected${opts.localAddress === undefined ? '' : ` from ${opts.localAddress}`}`,
  )
  try {
    await greetAndNegotiate(conn, opts)
    return conn
  } catch (err) {
    if (err instanceof HostFailure && err.kind !== 'tls-handshake') await conn.quit(2000)
    else conn.destroy()
    if (err instanceof HostFailure) {
      opts.log(`${where}: not used: ${err.message}`)
      throw err
    }
    if (err instanceof ConnectionFailure) throw connectionLost(where, err, opts.log)
    throw err
  }
}

export function connectionLost(
  where: string,
  err: ConnectionFailure,
  log: (line: string) => void,
): HostFailure {
  log(`${where}: ${err.kind}: ${err.message}`)
  const kind = err.kind === 'tls' ? 'tls-handshake' : 'connection'
  return new HostFailure(kind, localReply(421, Es442BadConnection, `${where}: ${err.message}`), {
    cause: err,
  })
}

async function greetAndNegotiate(conn: SmtpConnection, opts: OpenSessionOptions): Promise<void> {
  const read = async (): Promise<SmtpReply> => {
    const reply = await conn.read(opts.timeouts.commandMs)
    opts.onReply?.(reply)
    opts.log(`<<< ${formatReplyForLog(reply)}`)
    return reply
  }
  const send = async (line: string): Promise<SmtpReply> => {
    opts.log(`>>> ${line.trimEnd()}`)
    await conn.write(line, opts.timeouts.commandMs)
    return read()
  }
  // RFC 5321 3.1: the server speaks first; anything but 220 means "not here".
  const greeting = await read()
  if (greeting.code !== 220) {
    throw new HostFailure('rejected', toRemoteReply(greeting), { fromServer: true })
  }
  await hello(conn, opts.ehloName, send)
  const caps = conn.capabilities
  if (caps === undefined) return
  if (opts.tls !== 'off' && caps.startTls) {
    // RFC 3207 4: STARTTLS, 220, then the handshake.
    const reply = await send(STARTTLS_COMMAND)
    if (reply.code !== 220) {
      if (opts.tls === 'verified') {
        throw new HostFailure('tls-policy', toRemoteReply(reply), { fromServer: true })
      }
      opts.log(`STARTTLS refused; going on without TLS`)
      return
    }
    const tls = await conn.startTls({
      timeoutMs: opts.timeouts.commandMs,
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
    })
    const why = tls.authorizationError === undefined ? '' : ` (${tls.authorizationError})`
    opts.log(`TLS ${tls.protocol ?? ''} ${tls.cipher ?? ''} certificate ${tls.state}${why}`)
    if (opts.tls === 'verified' && tls.state !== 'verified') {
      throw new HostFailure(
        'tls-policy',
        localReply(421, Es475CryptoFailure, `certificate of ${opts.hostName} not valid${why}`),
      )
    }
    // RFC 3207 4.2: the client discards what it knew and sends EHLO again.
    await hello(conn, opts.ehloName, send)
  } else if (opts.tls === 'verified') {
    throw new HostFailure(
      'tls-policy',
      localReply(421, Es475CryptoFailure, `${opts.hostName} does not offer STARTTLS`),
    )
  }
}

/** EHLO, or HELO when EHLO gets a 5xx (RFC 5321 3.2); sets the connection's capabilities. */
async function hello(
  conn: SmtpConnection,
  ehloName: string,
  send: (line: string) => Promise<SmtpReply>,
): Promise<void> {
  const ehlo = await send(ehloCommand(ehloName))
  if (ehlo.code === 250) {
    conn.capabilities = parseEhlo(ehlo.lines)
    return
  }
  if (ehlo.code >= 500) {
    const helo = await send(heloCommand(ehloName))
    if (helo.code === 250) {
      conn.capabilities = heloCapabilities(helo.lines[0] ?? '')
      return
    }
    throw new HostFailure('rejected', toRemoteReply(helo), { fromServer: true })
  }
  throw new HostFailure('rejected', toRemoteReply(ehlo), { fromServer: true })
}
