// A small world for transport tests: scripted SMTP servers on 127.0.0.2, 127.0.0.3, ... (one
// port for all), a DNS server on loopback with MX records for example.test pointing at mx1,
// mx2, ... in that order, and an SMTP transport aimed at them with short timeouts. Everything
// is stopped by the test's after hook.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNetworkResolver } from '../../src/dns/resolver.ts'
import {
  createSmtpTransport,
  type SmtpTransport,
  type SmtpTransportOptions,
} from '../../src/outbound/smtp-transport.ts'
import type { DeliveryRequest } from '../../src/outbound/transport.ts'
import { writeSelfSignedCertificate } from '../../src/tls/self-signed.ts'
import { startDnsServer, type TestDnsServer, type ZoneRecord } from './dns-server.ts'
import {
  startScriptedSmtpServer,
  type ScriptedSmtpServerOptions,
  type ScriptedSmtpServer,
} from './scripted-smtp-server.ts'

let certCache: Promise<{ cert: Buffer; key: Buffer }> | undefined
/** A self-signed certificate for mx1.example.test, also usable as the trust anchor. */
export function testCert(): Promise<{ cert: Buffer; key: Buffer }> {
  certCache ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postern-transport-cert-'))
    try {
      const certPath = join(dir, 'cert.pem')
      const keyPath = join(dir, 'key.pem')
      await writeSelfSignedCertificate({ hostname: 'mx1.example.test', certPath, keyPath })
      return { cert: readFileSync(certPath), key: readFileSync(keyPath) }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })()
  return certCache
}

export interface World {
  servers: ScriptedSmtpServer[]
  transport: SmtpTransport
}

/**
 * The DNS server takes a free UDP port, then the same TCP port, which another process may
 * hold: try again (bounded).
 */
async function startDns(records: Record<string, ZoneRecord[]>): Promise<TestDnsServer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startDnsServer({ records })
    } catch (err) {
      if (attempt >= 20 || (err as { code?: string }).code !== 'EADDRINUSE') throw err
    }
  }
}

/**
 * Servers on 127.0.0.2, 127.0.0.3, ... sharing one port (the transport has one). Another test
 * process may hold that port on one of the addresses: then all are closed and another port is
 * tried (bounded).
 */
async function startServers(list: ScriptedSmtpServerOptions[]): Promise<ScriptedSmtpServer[]> {
  let lastError: unknown
  for (let attempt = 0; attempt < 20; attempt++) {
    const servers: ScriptedSmtpServer[] = []
    try {
      let port = 0
      for (const [i, s] of list.entries()) {
        const srv = await startScriptedSmtpServer({
          host: `127.0.0.${String(i + 2)}`,
          port,
          hostname: `mx${String(i + 1)}.example.test`,
          ...s,
        })
        servers.push(srv)
        port = srv.port
      }
      return servers
    } catch (err) {
      lastError = err
      for (const srv of servers) await srv.close()
      const fixedPort = list.some((s) => s.port !== undefined)
      if (fixedPort || (err as { code?: string }).code !== 'EADDRINUSE') throw err
    }
  }
  throw lastError
}

/**
 * Scripted servers on 127.0.0.2, 127.0.0.3, ... (one port for all), MX records for
 * example.test pointing at mx1, mx2, ... in that order, and a transport aimed at them.
 */
export async function world(
  t: { after: (fn: () => Promise<void>) => void },
  opts: {
    servers?: ScriptedSmtpServerOptions[]
    transport?: Partial<SmtpTransportOptions>
    records?: Record<string, ZoneRecord[]>
  } = {},
): Promise<World> {
  const servers = await startServers(opts.servers ?? [{}])
  const port = servers[0]?.port ?? 0
  t.after(async () => {
    for (const srv of servers) await srv.close()
  })
  const records: Record<string, ZoneRecord[]> = opts.records ?? {
    'example.test': servers.map((_, i) => ({
      type: 'MX' as const,
      data: { preference: 10 * (i + 1), exchange: `mx${String(i + 1)}.example.test` },
    })),
  }
  for (const [i] of servers.entries()) {
    records[`mx${String(i + 1)}.example.test`] ??= [{ type: 'A', data: `127.0.0.${String(i + 2)}` }]
  }
  const dns = await startDns(records)
  t.after(() => dns.close())
  const transport = createSmtpTransport({
    resolver: createNetworkResolver({ servers: [dns.address], timeoutMs: 2000, maxCacheMs: 0 }),
    hostname: 'postern.test',
    port,
    families: [4],
    mtaSts: false,
    random: () => 0.99,
    timeouts: {
      connectMs: 2000,
      commandMs: 2000,
      dataInitMs: 2000,
      dataBlockMs: 2000,
      dataEndMs: 2000,
    },
    ...opts.transport,
  })
  t.after(() => transport.close())
  return { servers, transport }
}

export function request(overrides: Partial<DeliveryRequest> = {}): DeliveryRequest {
  return {
    domain: 'example.test',
    mailFrom: 'sender@postern.test',
    recipients: [
      { id: 1, address: 'a@example.test' },
      { id: 2, address: 'b@example.test' },
    ],
    message: Buffer.from('Subject: hi\r\n\r\n.dot line\r\nbody\r\n'),
    ...overrides,
  }
}
