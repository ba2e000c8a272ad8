// `postern sender-score [ADDRESS] [--lift]`: the outbound sender score of one account (state,
// reason, counts over the window, bounce rate), or every throttled or suspended account; with
// --lift an administrator ends a throttle or suspension (the counts start again from zero).
import type { Command } from 'commander'
import { senderScoreFromConfig } from '../app/spam-learning.ts'
import { loadConfig, resolveDataDir } from '../config/load.ts'
import type { SenderReport } from '../spam/sender-score/sender-score.ts'
import { createLogger } from '../telemetry/logger.ts'
import { CliError } from './cli-error.ts'
import { withStore, type DataOption } from './with-store.ts'

interface ScoreFlags extends DataOption {
  lift?: boolean
}

export function addSenderScoreCommand(program: Command): void {
  program
    .command('sender-score [address]')
    .description("an account's outbound sender score, or every restricted account; --lift ends it")
    .option('--lift', 'lift the throttle or suspension of ADDRESS')
    .option('--data <dir>', 'data directory (default: $POSTERN_DATA, else ./data)')
    .action(async (address: string | undefined, flags: ScoreFlags) => {
      if (flags.lift === true && address === undefined) throw new CliError('--lift needs ADDRESS')
      const config = loadConfig({
        dataDir: resolveDataDir(flags.data, process.env),
        env: process.env,
      })
      const lines = await withStore(flags, async (store) => {
        const score = senderScoreFromConfig({
          config,
          store,
          logger: createLogger({ level: config.log.level, destination: process.stderr }),
          clock: Date.now,
        })
        if (address === undefined) {
          const restricted = await score.listRestricted()
          if (restricted.length === 0) return ['no account is throttled or suspended']
          const out: string[] = []
          for (const s of restricted) {
            const account = await store.accounts.getById(s.accountId)
            out.push(
              `${account?.address ?? `#${String(s.accountId)}`}: ${s.state} since ` +
                `${new Date(s.since).toISOString()}: ${s.reason}`,
            )
          }
          return out
        }
        const account = await store.accounts.get(address)
        if (account === undefined) throw new CliError(`no such account: ${address}`)
        if (flags.lift === true) {
          const before = await score.report(account.id)
          await score.lift(account.id)
          return [`lifted: ${account.address} was ${before.state}, may send again`]
        }
        return formatReport(account.address, await score.report(account.id))
      })
      process.stdout.write(`${lines.join('\n')}\n`)
    })
}

function formatReport(address: string, r: SenderReport): string[] {
  const rate = r.bounceRate === null ? 'n/a' : `${(r.bounceRate * 100).toFixed(1)}%`
  const since = r.since === null ? '' : ` since ${new Date(r.since).toISOString()}`
  return [
    `${address}: ${r.state}${since}${r.reason === '' ? '' : ` (${r.reason})`}`,
    `  in the window: ${String(r.counts.delivered)} delivered, ${String(r.counts.bounced)} ` +
      `bounced (bounce rate ${rate}), ${String(r.counts.refused)} refused by the pre-flight`,
  ]
}
