// A DNS server on loopback for tests (UDP and TCP on one port): answers from a zone table that
// the test may change while it runs. Names without records get NXDOMAIN, names with records of
// other types an empty NOERROR (NODATA); names in `silent` are never answered (a timeout), names
// in `servfail` get SERVFAIL. Wire format by dns-packet (RFC 1035).
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createServer, type Server, type Socket } from 'node:net'
import * as packet from 'dns-packet'

export type ZoneRecord =
  | { type: 'A' | 'AAAA' | 'CNAME' | 'NS' | 'PTR'; data: string; ttl?: number }
  | { type: 'MX'; data: { preference: number; exchange: string }; ttl?: number }
  | {
      type: 'SRV'
      data: { priority: number; weight: number; port: number; target: string }
      ttl?: number
    }
  | { type: 'TXT'; data: string | string[]; ttl?: number }

export interface Zone {
  /** Lower-case names without the trailing dot. */
  records: Map<string, ZoneRecord[]>
  silent: Set<string>
  servfail: Set<string>
}

const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const

export interface TestDnsServer {
  host: string
  port: number
  /** "127.0.0.1:port", the form dns.servers takes. */
  address: string
  zone: Zone
  /** Adds records for a name (several calls add up). */
  add(name: string, ...records: ZoneRecord[]): void
  /** How many questions were asked, by "TYPE name". */
  queries: Map<string, number>
  close(): Promise<void>
}

export async function startDnsServer(
  opts: { host?: string; records?: Record<string, ZoneRecord[]> } = {},
): Promise<TestDnsServer> {
  const host = opts.host ?? '127.0.0.1'
  const zone: Zone = { records: new Map(), silent: new Set(), servfail: new Set() }
  const queries = new Map<string, number>()
  const add = (name: string, ...records: ZoneRecord[]): void => {
    const key = name.toLowerCase().replace(/\.$/, '')
    zone.records.set(key, [...(zone.records.get(key) ?? []), ...records])
  }
  for (const [name, records] of Object.entries(opts.records ?? {})) add(name, ...records)
  const answer = (query: Buffer): Buffer | undefined => {
    const q = packet.decode(query)
    const question = q.questions?.[0]
    if (!question) return undefined
    const name = question.name.toLowerCase().replace(/\.$/, '')
    const key = `${question.type} ${name}`
    queries.set(key, (queries.get(key) ?? 0) + 1)
    if (zone.silent.has(name)) return undefined
    const records = zone.records.get(name)
    const rcode = zone.servfail.has(name) ? 'SERVFAIL' : records ? 'NOERROR' : 'NXDOMAIN'
    const answers = (records ?? [])
      .filter((r) => r.type === question.type)
      .map((r) => ({ name: question.name, type: r.type, ttl: r.ttl ?? 60, data: r.data }))
    return packet.encode({
      id: q.id ?? 0,
      type: 'response',
      // dns-packet encodes the RCODE from the low bits of the flags (RFC 1035 4.1.1).
      flags: packet.AUTHORITATIVE_ANSWER | packet.RECURSION_AVAILABLE | RCODES[rcode],
      questions: [question],
      answers: rcode === 'NOERROR' ? (answers as packet.Answer[]) : [],
    })
  }
  // UDP and TCP on one port: bind UDP to a free port, then TCP to the same one; another process
  // may hold that TCP port, so try again with a new UDP port a few times.
  let bound: { udp: UdpSocket; tcp: Server; port: number } | undefined
  for (let attempt = 0; bound === undefined; attempt++) {
    try {
      bound = await bindBoth(host, answer)
    } catch (err) {
      if (attempt >= 20) throw err
    }
  }
  const { udp, tcp, port } = bound
  return {
    host,
    port,
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    zone,
    add,
    queries,
    close: async () => {
      await closeUdp(udp)
      await new Promise<void>((resolve) =>
        tcp.close(() => {
          resolve()
        }),
      )
    },
  }
}

async function bindBoth(
  host: string,
  answer: (query: Buffer) => Buffer | undefined,
): Promise<{ udp: UdpSocket; tcp: Server; port: number }> {
  const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4')
  udp.on('message', (msg, rinfo) => {
    let reply: Buffer | undefined
    try {
      reply = answer(msg)
    } catch {
      return
    }
    if (reply) udp.send(reply, rinfo.port, rinfo.address)
  })
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject)
    udp.bind(0, host, () => {
      resolve()
    })
  })
  const port = udp.address().port
  const tcp = createServer((socket) => {
    serveTcp(socket, answer)
  })
  try {
    await listenTcp(tcp, host, port)
  } catch (err) {
    await closeUdp(udp)
    throw err
  }
  return { udp, tcp, port }
}

/** DNS over TCP: each message with a two-byte length prefix (RFC 1035 4.2.2). */
function serveTcp(socket: Socket, answer: (query: Buffer) => Buffer | undefined): void {
  let buffered = Buffer.alloc(0)
  socket.on('error', () => undefined)
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk])
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0)
      if (buffered.length < 2 + length) break
      const query = buffered.subarray(2, 2 + length)
      buffered = buffered.subarray(2 + length)
      let reply: Buffer | undefined
      try {
        reply = answer(query)
      } catch {
        socket.destroy()
        return
      }
      if (reply) {
        const prefix = Buffer.alloc(2)
        prefix.writeUInt16BE(reply.length)
        socket.write(Buffer.concat([prefix, reply]))
      }
    }
  })
}

function listenTcp(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port }, () => {
      resolve()
    })
  })
}

function closeUdp(udp: UdpSocket): Promise<void> {
  return new Promise((resolve) => {
    udp.close(() => {
      resolve()
    })
  })
}
