// `postern dns DOMAIN` prints, in zone-file form, every DNS record the domain should publish
// (src/dns-publish/dns-records.ts), each with a comment saying why; `postern dns check DOMAIN`
// looks each up through the configured resolver (dns.servers) and says ok / missing / wrong,
// exiting 1 when something is missing or wrong.
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { dkimKeyFiles } from '../app/init.ts'
import { loadConfig, resolveDataDir } from '../config/load.ts'
import type { Config } from '../config/schema.ts'
import { createNetworkResolver } from '../dns/resolver.ts'
import { checkRecords, type CheckStatus } from '../dns-publish/dns-check.ts'
import {
  dnsRecords,
  zoneLine,
  type DkimKeyFileRef,
  type PublishRecord,
} from '../dns-publish/dns-records.ts'
import { CliError } from './cli-error.ts'
import type { DataOption } from './with-store.ts'

const DATA_FLAG = '--data <dir>'
const DATA_HELP = 'data directory (default: $POSTERN_DATA, else ./data)'
const DOMAIN_RE = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i

export function addDnsCommands(program: Command): void {
  const dns = program
    .command('dns')
    .description('print the DNS records a domain should publish (zone-file form)')
    .argument('<domain>', 'the mail domain')
    .option(DATA_FLAG, DATA_HELP)
    .action((domain: string, opts: DataOption) => {
      const records = recordsFor(domain, opts)
      process.stdout.write(renderZone(domain, records.hostname, records.list))
    })
  dns
    .command('check <domain>')
    .option(DATA_FLAG, DATA_HELP)
    .description('look the records up (dns.servers) and say what is missing or wrong')
    .action(async (domain: string, _opts: DataOption, command: Command) => {
      // --data may be taken by the parent "dns" command: read both levels.
      const { list, hostname, config } = recordsFor(domain, command.optsWithGlobals<DataOption>())
      const resolver = createNetworkResolver({
        servers: config.dns.servers,
        timeoutMs: config.dns.timeout_ms,
      })
      const checks = await checkRecords({ records: list, resolver, hostname })
      for (const c of checks) {
        const detail = c.detail === undefined ? '' : ` (${c.detail})`
        process.stdout.write(
          `${c.status.padEnd(8)}${c.record.type.padEnd(6)}${c.record.name}${detail}\n` +
            `        why: ${c.record.why}\n`,
        )
      }
      const count = (s: CheckStatus): number => checks.filter((c) => c.status === s).length
      const bad = count('missing') + count('wrong') + count('unknown')
      process.stdout.write(
        `${count('ok')} ok, ${count('missing')} missing, ${count('wrong')} wrong, ` +
          `${count('unknown')} unknown\n`,
      )
      if (bad > 0) throw new CliError(`${bad} of ${checks.length} DNS records need attention`)
    })
}

function recordsFor(
  domainArg: string,
  opts: DataOption,
): { list: PublishRecord[]; hostname: string; config: Config } {
  const domain = domainArg.trim().toLowerCase().replace(/\.$/, '')
  if (!DOMAIN_RE.test(domain)) throw new CliError(`not a valid domain name: ${domainArg}`)
  const dataDir = resolveDataDir(opts.data, process.env)
  const config = loadConfig({ dataDir, env: process.env })
  const files = dkimKeyFiles({ dataDir, domain, selector: config.dkim.selector })
  const dkimKeys: DkimKeyFileRef[] = [
    { ...files.rsa, algorithm: 'rsa' as const },
    { ...files.ed25519, algorithm: 'ed25519' as const },
  ].filter((k) => existsSync(k.path))
  const list = dnsRecords({
    domain,
    hostname: config.hostname,
    serverIps: config.dmarc.server_ips,
    publishPolicy: config.dmarc.publish_policy,
    dkimKeys,
    mtaSts: { mode: config.dmarc.mta_sts_mode, maxAgeS: config.dmarc.mta_sts_max_age_s },
    ports: clientPorts(config),
  })
  return { list, hostname: config.hostname, config }
}

function clientPorts(
  config: Config,
): Partial<Record<'submission' | 'submissions' | 'imap' | 'imaps' | 'pop3s', number>> {
  const out: Partial<Record<'submission' | 'submissions' | 'imap' | 'imaps' | 'pop3s', number>> = {}
  for (const name of ['submission', 'submissions', 'imap', 'imaps', 'pop3s'] as const) {
    const address = config.listen[name]
    if (address !== '') out[name] = Number(address.slice(address.lastIndexOf(':') + 1))
  }
  return out
}

function renderZone(domain: string, hostname: string, records: PublishRecord[]): string {
  const lines = [
    `; DNS records for ${domain}, in zone-file form. Also give ${hostname} A/AAAA records`,
    '; for this server, and a PTR record back to that name.',
  ]
  if (!records.some((r) => r.kind === 'dkim')) {
    lines.push(`; no DKIM key for ${domain} in the data directory (postern domain add ${domain})`)
  }
  for (const r of records) lines.push(`; ${r.why}`, zoneLine(r))
  return `${lines.join('\n')}\n`
}
