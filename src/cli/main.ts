// The `postern` command: parses arguments with commander and hands each command to app/,
// config/ or store/. Errors print one line on stderr and exit 1; usage errors exit 2.
import { Command, CommanderError } from 'commander'
import { initDataDir } from '../app/init.ts'
import { resolveDataDir } from '../config/load.ts'
import { addAccountCommands, addAliasCommands, addDomainCommands } from './admin-commands.ts'
import { describeCliError } from './cli-error.ts'
import { addQueueCommands, addSuppressionCommands } from './queue-commands.ts'
import { serve } from './serve-command.ts'
import { addDnsCommands } from './dns-commands.ts'
import { addDmarcCommands } from './dmarc-commands.ts'
import { addExplainCommands } from './spam-commands.ts'
import { addSpamCommands } from './spam-train-command.ts'
import { addSenderScoreCommand } from './sender-score-command.ts'

interface InitFlags {
  data?: string
  domain: string
  hostname?: string
}

export function buildProgram(): Command {
  const program = new Command('postern')
    .description('Postern: an all-in-one mail server')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
  program
    .command('init')
    .description('create a data directory; prints the DNS records to publish')
    .option('--data <dir>', 'data directory (default: $POSTERN_DATA, else ./data)')
    .requiredOption('--domain <domain>', 'the first mail domain')
    .option('--hostname <host>', "this server's host name (default: mail.<domain>)")
    .action(async (flags: InitFlags) => {
      const dataDir = resolveDataDir(flags.data, process.env)
      const hostname = flags.hostname ?? `mail.${flags.domain}`
      const { dnsRecords } = await initDataDir({ dataDir, domain: flags.domain, hostname })
      process.stdout.write(`Initialised ${dataDir}. Publish these DNS records:\n\n${dnsRecords}`)
    })
  program
    .command('serve')
    .description('run every configured listener until SIGTERM/SIGINT')
    .option('--data <dir>', 'data directory (default: $POSTERN_DATA, else ./data)')
    .action(serve)
  addDomainCommands(program)
  addAccountCommands(program)
  addAliasCommands(program)
  addQueueCommands(program)
  addSuppressionCommands(program)
  addDnsCommands(program)
  addDmarcCommands(program)
  addExplainCommands(program)
  addSpamCommands(program)
  addSenderScoreCommand(program)
  return program
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    process.stderr.write(`postern: ${describeCliError(err)}\n`)
    return 1
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2))
