// `postern dmarc reports` lists the DMARC aggregate reports received for our domains, with
// pass/fail counts per source IP; `postern dmarc send-reports [--date YYYY-MM-DD]` sends the
// aggregate reports of one UTC day (the previous day by default) now, through the queue.
import type { Command } from 'commander'
import { loadConfig, resolveDataDir } from '../config/load.ts'
import { createNetworkResolver } from '../dns/resolver.ts'
import { DAY_MS, previousUtcDay, ReportSender } from '../dmarc-report/report-sender.ts'
import { createGeneratedMailSigner } from '../app/generated-mail-dkim.ts'
import { CliError } from './cli-error.ts'
import { withStore, type DataOption } from './with-store.ts'

const DATA_FLAG = '--data <dir>'
const DATA_HELP = 'data directory (default: $POSTERN_DATA, else ./data)'

function print(line: string): void {
  process.stdout.write(`${line}\n`)
}

export function addDmarcCommands(program: Command): void {
  const dmarc = program.command('dmarc').description('DMARC aggregate reports')
  dmarc
    .command('reports')
    .option(DATA_FLAG, DATA_HELP)
    .option('--domain <domain>', 'only the reports about this domain')
    .option('--limit <n>', 'at most this many reports (newest first)', '50')
    .description('list received aggregate reports with pass/fail counts per source IP')
    .action(async (opts: DataOption & { domain?: string; limit: string }) => {
      const limit = Number(opts.limit)
      if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a number')
      const reports = await withStore(opts, (store) =>
        store.emailAuth.listReceived({
          limit,
          ...(opts.domain === undefined ? {} : { policyDomain: opts.domain }),
        }),
      )
      if (reports.length === 0) print('no DMARC reports received')
      for (const r of reports) {
        const from = new Date(r.begin * 1000).toISOString().slice(0, 16)
        const to = new Date(r.end * 1000).toISOString().slice(0, 16)
        print(
          `${r.policyDomain}  from ${r.orgName} <${r.email}>  ${from}Z..${to}Z  id ${r.reportId}`,
        )
        for (const s of r.sources) {
          print(`  ${s.sourceIp.padEnd(40)} messages ${s.count}  pass ${s.pass}  fail ${s.fail}`)
        }
      }
    })
  dmarc
    .command('send-reports')
    .option(DATA_FLAG, DATA_HELP)
    .option('--date <yyyy-mm-dd>', 'the UTC day to report (default: yesterday)')
    .description('send the aggregate reports of one day now (queued for delivery)')
    .action(async (opts: DataOption & { date?: string }) => {
      const dayStart = opts.date === undefined ? previousUtcDay(Date.now()) : parseDay(opts.date)
      const dataDir = resolveDataDir(opts.data, process.env)
      const config = loadConfig({ dataDir, env: process.env })
      const resolver = createNetworkResolver({
        servers: config.dns.servers,
        timeoutMs: config.dns.timeout_ms,
      })
      const outcomes = await withStore(opts, (store) =>
        new ReportSender({
          store,
          resolver,
          clock: Date.now,
          hostname: config.hostname,
          orgName: config.dmarc.org_name,
          fromAddress: config.dmarc.report_from,
          // Signed like the scheduler's reports (the From domain's DKIM keys in DIR/dkim/).
          signer: createGeneratedMailSigner({ config, dataDir, store, clock: Date.now }),
        }).sendDay(dayStart),
      )
      const day = new Date(dayStart).toISOString().slice(0, 10)
      if (outcomes.length === 0) print(`no DMARC evaluations on ${day}`)
      for (const o of outcomes) {
        if (o.kind === 'sent')
          print(
            `${o.domain}: queued report ${o.reportId} (${o.records} records) to ${o.to.join(', ')}`,
          )
        else if (o.kind === 'already-sent') print(`${o.domain}: already sent for ${day}`)
        else print(`${o.domain}: not sent: ${o.reason}`)
      }
    })
}

function parseDay(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  const day = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN
  if (Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== text) {
    throw new CliError(`--date must be YYYY-MM-DD: ${text}`)
  }
  return day - (day % DAY_MS)
}
