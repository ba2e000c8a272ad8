// `postern explain MESSAGE` and `postern check-message FILE`: the spam verdict explained.
// explain prints the stored explanation of a received or submitted message, found by the
// queue id of its "250 ... queued as ID" reply and Received header, or by its Message-ID.
// check-message analyses any message file as the submission pre-flight would, and reports
// whether the From domain is ready to send: SPF, DKIM and DMARC records in DNS.
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { loadConfig, resolveDataDir } from '../config/load.ts'
import type { Config } from '../config/schema.ts'
import { createNetworkResolver } from '../dns/resolver.ts'
import { parseAddressList } from '../mail/address-list.ts'
import { SpamAnalyzer } from '../spam/analyze.ts'
import { formatExplanation } from '../spam/explain.ts'
import { domainReadiness, type ReadinessCheck } from '../spam/readiness.ts'
import { messageFacts } from '../spam/message-facts.ts'
import { spamThresholds } from '../spam/service.ts'
import type { SpamExplanation } from '../spam/verdict.ts'
import { CliError } from './cli-error.ts'
import { withStore, type DataOption } from './with-store.ts'

const DATA_FLAG = '--data <dir>'
const DATA_HELP = 'data directory (default: $POSTERN_DATA, else ./data)'

type ExplainFlags = DataOption & { json?: boolean }
type CheckFlags = DataOption & { json?: boolean; dns?: boolean; selector?: string }

export function addExplainCommands(program: Command): void {
  program
    .command('explain <message>')
    .description('show why the spam filter scored a message (queue id or Message-ID)')
    .option(DATA_FLAG, DATA_HELP)
    .option('--json', 'print the stored explanation as JSON')
    .action(async (key: string, flags: ExplainFlags) => {
      const found = await withStore(flags, (store) => store.spamExplanations.find(key))
      if (found.length === 0) throw new CliError(`no spam explanation stored for ${key}`)
      if (flags.json === true) {
        process.stdout.write(
          `${JSON.stringify(
            found.map((f) => f.explanation),
            null,
            2,
          )}\n`,
        )
        return
      }
      const texts = found.map((f) =>
        formatExplanation(f.explanation as SpamExplanation & { queueId?: string }),
      )
      process.stdout.write(texts.join('\n'))
    })
  program
    .command('check-message <file>')
    .description("score a message as the pre-flight would, and check its From domain's DNS")
    .option(DATA_FLAG, DATA_HELP)
    .option('--json', 'print the report as JSON')
    .option('--no-dns', 'skip the SPF/DKIM/DMARC lookups')
    .option('--selector <name>', 'DKIM selector base (default: config dkim.selector)')
    .action(async (file: string, flags: CheckFlags) => {
      process.stdout.write(await checkMessage(file, flags))
    })
}

/** The data directory's configuration (defaults when it has none), with POSTERN_* overrides. */
function configFor(flags: DataOption): Config {
  return loadConfig({ dataDir: resolveDataDir(flags.data, process.env), env: process.env })
}

function fromDomain(raw: Buffer): string | undefined {
  const from = messageFacts(raw).from
  for (const e of parseAddressList(from)) {
    if (e.kind === 'mailbox' && e.mailbox.domain !== null) return e.mailbox.domain.toLowerCase()
  }
  return undefined
}

async function checkMessage(file: string, flags: CheckFlags): Promise<string> {
  let raw: Buffer
  try {
    raw = readFileSync(file)
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
  const config = configFor(flags)
  const analyzer = new SpamAnalyzer({ thresholds: spamThresholds(config) })
  const verdict = await analyzer.analyze({
    raw: raw.includes('\r\n')
      ? raw
      : Buffer.from(raw.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'),
    clientIp: '127.0.0.1',
    helo: 'localhost',
    mailFrom: '',
    rcpts: [],
    accountIds: [],
    direction: 'outbound',
  })
  const domain = fromDomain(raw)
  let checks: ReadinessCheck[] = []
  if (flags.dns !== false && domain !== undefined) {
    const resolver = createNetworkResolver({
      servers: config.dns.servers,
      timeoutMs: config.dns.timeout_ms,
    })
    checks = await domainReadiness({
      resolver,
      domain,
      selector: flags.selector ?? config.dkim.selector,
    })
  }
  if (flags.json === true) {
    return `${JSON.stringify({ verdict, fromDomain: domain ?? null, readiness: checks }, null, 2)}\n`
  }
  const inbound =
    verdict.score >= config.spam.reject_threshold
      ? 'refused'
      : verdict.score >= config.spam.junk_threshold
        ? 'delivered to Junk'
        : 'delivered to the inbox'
  const lines = [
    formatExplanation(verdict).trimEnd(),
    '',
    `As inbound mail to Postern this message would be ${inbound}.`,
  ]
  if (domain === undefined) lines.push('', 'From domain: none found in the From field.')
  else if (flags.dns === false) lines.push('', `From domain ${domain}: DNS checks skipped.`)
  else {
    lines.push('', `From domain ${domain}:`)
    for (const c of checks) lines.push(`  ${c.name.padEnd(6)} ${c.status.padEnd(8)} ${c.detail}`)
  }
  return `${lines.join('\n')}\n`
}
