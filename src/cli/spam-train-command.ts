// `postern spam train --spam|--ham [--account ADDRESS] FILE...`: trains the Bayesian classifier
// with message files (one RFC 5322 message per file; a directory stands for the files in it).
// With --account the account's own statistics learn; without it the global statistics, which
// every account's classification starts from. A message trained before as the other class is
// untrained from it first; one trained as the same class is skipped.
// `postern spam classify [--account ADDRESS] FILE` prints a message's Bayes probability, and
// `postern spam reputation IP|DOMAIN` what the sender reputation holds for a network or domain.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from 'commander'
import { BayesClassifier } from '../spam/bayes/classifier.ts'
import { ipNetworkKey, subjectKeys } from '../spam/reputation/reputation.ts'
import { GLOBAL_SCOPE, type BayesTrainOutcome } from '../store/types-spam-learning.ts'
import type { Store } from '../store/types.ts'
import { CliError } from './cli-error.ts'
import { withStore, type DataOption } from './with-store.ts'

interface TrainFlags extends DataOption {
  spam?: boolean
  ham?: boolean
  account?: string
}

/** Files read from one directory at most (the rest are reported as skipped). */
const MAX_FILES_PER_DIR = 100_000
/** Larger files are not messages worth training on. */
const MAX_FILE_BYTES = 10 * 1024 * 1024

export function addSpamCommands(program: Command): void {
  const spam = program.command('spam').description('spam filter training')
  spam
    .command('train <files...>')
    .description('train the Bayesian classifier with message files (or directories of them)')
    .option('--spam', 'the messages are spam')
    .option('--ham', 'the messages are wanted mail (ham)')
    .option('--account <address>', "train this account's statistics (default: global)")
    .option('--data <dir>', 'data directory (default: $POSTERN_DATA, else ./data)')
    .action(async (files: string[], flags: TrainFlags) => {
      if (flags.spam === flags.ham) throw new CliError('give exactly one of --spam and --ham')
      const cls = flags.spam === true ? 'spam' : 'ham'
      const paths = expandPaths(files)
      const summary = await withStore(flags, (store) => train(store, { ...flags, cls, paths }))
      process.stdout.write(`${summary}\n`)
    })
  spam
    .command('classify <file>')
    .description("a message's Bayes spam probability (for an account, or the global statistics)")
    .option('--account <address>', "with this account's statistics (and the global ones)")
    .option('--data <dir>', 'data directory (default: $POSTERN_DATA, else ./data)')
    .action(async (file: string, flags: DataOption & { account?: string }) => {
      const raw = readMessage(file)
      if (raw === undefined) throw new CliError(`cannot read a message from ${file}`)
      const line = await withStore(flags, async (store) => {
        const scope = await scopeOf(store, flags.account)
        const result = await trainer(store).classify(raw, scope)
        const totals = await store.spamLearning.bayes.totals(scope)
        if (result === undefined) {
          return `no opinion: trained on ${String(totals.spam)} spam, ${String(totals.ham)} ham`
        }
        const clues = result.clues.slice(0, 5).map((c) => c.token)
        return (
          `probability ${result.probability.toFixed(4)} (trained on ${String(result.trained.spam)}` +
          ` spam, ${String(result.trained.ham)} ham); top clues: ${clues.join(' ')}`
        )
      })
      process.stdout.write(`${line}\n`)
    })
  spam
    .command('reputation <subject>')
    .description('what the sender reputation holds for an IP (its /24 or /64) or a domain')
    .option('--data <dir>', 'data directory (default: $POSTERN_DATA, else ./data)')
    .action(async (subject: string, flags: DataOption) => {
      const keys =
        ipNetworkKey(subject) === undefined
          ? subjectKeys({ clientIp: '', authDomain: subject })
          : subjectKeys({ clientIp: subject })
      const rows = await withStore(flags, (store) => store.spamLearning.reputation.get(keys))
      const row = rows[0]
      const line =
        row === undefined
          ? `${keys[0] ?? subject}: never seen`
          : `${row.key}: ${String(row.spam)} spam, ${String(row.ham)} ham; users moved ` +
            `${String(row.correctedSpam)} to Junk, ${String(row.correctedHam)} out of it`
      process.stdout.write(`${line}\n`)
    })
}

async function scopeOf(store: Store, address: string | undefined): Promise<number> {
  if (address === undefined) return GLOBAL_SCOPE
  const account = await store.accounts.get(address)
  if (account === undefined) throw new CliError(`no such account: ${address}`)
  return account.id
}

/** Training and classifying from the CLI: any amount of training gives an opinion. */
function trainer(store: Store): BayesClassifier {
  return new BayesClassifier({
    repo: store.spamLearning.bayes,
    minSpam: 1,
    minHam: 1,
    weight: 1,
    clock: Date.now,
  })
}

async function train(
  store: Store,
  opts: { cls: 'spam' | 'ham'; paths: string[]; account?: string },
): Promise<string> {
  const scope = await scopeOf(store, opts.account)
  const classifier = trainer(store)
  const outcomes: Record<BayesTrainOutcome, number> = { trained: 0, retrained: 0, unchanged: 0 }
  let skipped = 0
  for (const path of opts.paths) {
    const raw = readMessage(path)
    if (raw === undefined) {
      skipped++
      continue
    }
    outcomes[await classifier.train({ raw, class: opts.cls, scope })]++
  }
  const totals = await store.spamLearning.bayes.totals(scope)
  const who = opts.account === undefined ? 'global statistics' : opts.account
  return (
    `trained ${String(outcomes.trained + outcomes.retrained)} messages as ${opts.cls} for ${who}` +
    ` (${String(outcomes.retrained)} moved from the other class, ${String(outcomes.unchanged)}` +
    ` already trained, ${String(skipped)} skipped); now ${String(totals.spam)} spam,` +
    ` ${String(totals.ham)} ham`
  )
}

function expandPaths(inputs: readonly string[]): string[] {
  const out: string[] = []
  for (const input of inputs) {
    let stat
    try {
      stat = statSync(input)
    } catch {
      throw new CliError(`cannot read ${input}`)
    }
    if (!stat.isDirectory()) {
      out.push(input)
      continue
    }
    const names = readdirSync(input).sort().slice(0, MAX_FILES_PER_DIR)
    for (const name of names) {
      const path = join(input, name)
      if (statSync(path).isFile()) out.push(path)
    }
  }
  return out
}

/** The file as a message with CRLF line ends; undefined for what is empty or too large. */
function readMessage(path: string): Buffer | undefined {
  const stat = statSync(path)
  if (stat.size === 0 || stat.size > MAX_FILE_BYTES) return undefined
  const text = readFileSync(path).toString('latin1')
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1')
}
