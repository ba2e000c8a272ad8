// The SMTP transport's options from the `outbound` config section (src/config/schema.ts):
// timeouts (RFC 5321 4.5.3.2 defaults), source addresses, MTA-STS, connection reuse.
import { readFileSync } from 'node:fs'
import type { Config } from '../config/schema.ts'
import type { SmtpTransportOptions } from './smtp-transport.ts'

/** The config-derived part of SmtpTransportOptions; `tls_ca` is read relative to dataDir. */
export function transportOptionsFromConfig(
  outbound: Config['outbound'],
  resolvePath: (path: string) => string,
): Partial<SmtpTransportOptions> {
  const opts: Partial<SmtpTransportOptions> = {
    port: outbound.port,
    sourceIpv4: outbound.source_ipv4,
    sourceIpv6: outbound.source_ipv6,
    timeouts: {
      connectMs: outbound.connect_timeout_ms,
      commandMs: outbound.command_timeout_ms,
      // RFC 5321 4.5.3.2.5 and 4.5.3.2.6: 2 minutes for DATA's 354, 3 per data block.
      dataInitMs: Math.min(outbound.command_timeout_ms, 120_000),
      dataBlockMs: Math.min(outbound.data_timeout_ms, 180_000),
      dataEndMs: outbound.data_timeout_ms,
    },
    mtaSts: outbound.mta_sts,
    maxMessagesPerConnection: outbound.max_messages_per_connection,
    idleKeepMs: outbound.idle_keep_ms,
  }
  if (outbound.tls_ca !== '') opts.tlsCa = readFileSync(resolvePath(outbound.tls_ca))
  return opts
}
