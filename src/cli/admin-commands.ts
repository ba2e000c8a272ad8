// `postern domain|account|alias ...`: the administration commands. Each parses its
// arguments, opens the store of the data directory, calls one repository and prints the
// result; the store validates and normalises names.
import type { Command } from 'commander'
import { credentialsFor } from '../auth/credentials.ts'
import { randomPassword } from '../app/init.ts'
import { ensureDomainDkimKeys } from '../app/domain-dkim.ts'
import { loadConfig, resolveDataDir } from '../config/load.ts'
import { CliError } from './cli-error.ts'
import { readPasswordFromStdin } from './read-password.ts'
import { withStore } from './with-store.ts'
import type { DataOption } from './with-store.ts'

type PasswordOptions = DataOption & { passwordStdin?: boolean }

const DATA_FLAG = '--data <dir>'
const DATA_HELP = 'data directory (default: $POSTERN_DATA, else ./data)'
const ADDRESS_RE = /^[^\s@]+@[^\s@]+$/

function print(line: string): void {
  process.stdout.write(`${line}\n`)
}

export function addDomainCommands(program: Command): void {
  const domain = program.command('domain').description('manage local domains')
  domain
    .command('add <name>')
    .option(DATA_FLAG, DATA_HELP)
    .description('add a local domain, with its DKIM keys; prints the DNS records to publish')
    .action(async (name: string, opts: DataOption) => {
      const added = await withStore(opts, (store) => store.domains.add(name))
      const dataDir = resolveDataDir(opts.data, process.env)
      const config = loadConfig({ dataDir, env: process.env })
      const records = await ensureDomainDkimKeys({
        dataDir,
        domain: added.name,
        selector: config.dkim.selector,
        hostname: config.hostname,
      })
      print(`added domain ${added.name}. Publish these DNS records:\n\n${records}`)
    })
  domain
    .command('list')
    .option(DATA_FLAG, DATA_HELP)
    .description('list local domains')
    .action(async (opts: DataOption) => {
      const domains = await withStore(opts, (store) => store.domains.list())
      for (const d of domains) print(d.name)
    })
  domain
    .command('remove <name>')
    .option(DATA_FLAG, DATA_HELP)
    .description('remove a local domain')
    .action(async (name: string, opts: DataOption) => {
      const removed = await withStore(opts, (store) => store.domains.remove(name))
      if (!removed) throw new CliError(`no such domain: ${name}`)
      print(`removed domain ${name}`)
    })
}

export function addAccountCommands(program: Command): void {
  const account = program.command('account').description('manage accounts')
  account
    .command('add <address>')
    .option(DATA_FLAG, DATA_HELP)
    .option('--password-stdin', 'read the password from stdin (else one is generated)')
    .description('add an account (with INBOX, Sent, Drafts, Junk, Trash, Archive)')
    .action(async (address: string, opts: PasswordOptions) => {
      checkAddress(address)
      const generated = opts.passwordStdin === true ? undefined : randomPassword(20)
      const password = generated ?? (await readPasswordFromStdin())
      const { passwordHash, scramSecret } = await credentialsFor(password)
      const added = await withStore(opts, async (store) => {
        const account = await store.accounts.add({ address, passwordHash })
        await store.scram.set(account.address, { passwordHash, secret: scramSecret })
        return account
      })
      print(`added account ${added.address}`)
      if (generated !== undefined) print(`password (shown once): ${generated}`)
    })
  account
    .command('list')
    .option(DATA_FLAG, DATA_HELP)
    .description('list accounts')
    .action(async (opts: DataOption) => {
      const accounts = await withStore(opts, (store) => store.accounts.list())
      for (const a of accounts) print(a.address)
    })
  account
    .command('remove <address>')
    .option(DATA_FLAG, DATA_HELP)
    .description('remove an account and its mail')
    .action(async (address: string, opts: DataOption) => {
      const removed = await withStore(opts, (store) => store.accounts.remove(address))
      if (!removed) throw new CliError(`no such account: ${address}`)
      print(`removed account ${address}`)
    })
  account
    .command('passwd <address>')
    .option(DATA_FLAG, DATA_HELP)
    .requiredOption('--password-stdin', 'read the new password from stdin')
    .description("set an account's password")
    .action(async (address: string, opts: PasswordOptions) => {
      const { passwordHash, scramSecret } = await credentialsFor(await readPasswordFromStdin())
      const changed = await withStore(opts, async (store) => {
        if (!(await store.accounts.setPassword(address, passwordHash))) return false
        return store.scram.set(address, { passwordHash, secret: scramSecret })
      })
      if (!changed) throw new CliError(`no such account: ${address}`)
      print(`password changed for ${address}`)
    })
  account
    .command('quota <address> <size>')
    .option(DATA_FLAG, DATA_HELP)
    .description("set an account's storage quota (e.g. 500M, 2G; none to remove it)")
    .action(async (address: string, size: string, opts: DataOption) => {
      const quotaBytes = parseQuota(size)
      const changed = await withStore(opts, (store) => store.accounts.setQuota(address, quotaBytes))
      if (!changed) throw new CliError(`no such account: ${address}`)
      print(`quota of ${address}: ${quotaBytes === null ? 'none' : `${quotaBytes} bytes`}`)
    })
}

/** "none", or a size in bytes with an optional K, M, G or T suffix (powers of 1024). */
export function parseQuota(text: string): number | null {
  if (text.toLowerCase() === 'none') return null
  const m = /^(\d+)\s*([kmgt]?)b?$/i.exec(text.trim())
  if (!m) throw new CliError(`not a size: ${text} (use e.g. 500M, 2G or none)`)
  const power = ' kmgt'.indexOf((m[2] ?? '').toLowerCase() || ' ')
  return Number(m[1]) * 1024 ** power
}

export function addAliasCommands(program: Command): void {
  const alias = program.command('alias').description('manage aliases')
  alias
    .command('add <alias> <targets...>')
    .option(DATA_FLAG, DATA_HELP)
    .description('add an alias (local@domain, or @domain for a catch-all) to one or more addresses')
    .action(async (address: string, targets: string[], opts: DataOption) => {
      if (!/^[^\s@]*@[^\s@]+$/.test(address)) {
        throw new CliError(`not an alias address: ${address} (use local@domain or @domain)`)
      }
      for (const target of targets) checkAddress(target)
      const added = await withStore(opts, (store) => store.aliases.add(address, targets))
      print(`added alias ${added.address} -> ${added.targets.join(', ')}`)
    })
  alias
    .command('list')
    .option(DATA_FLAG, DATA_HELP)
    .description('list aliases')
    .action(async (opts: DataOption) => {
      const aliases = await withStore(opts, (store) => store.aliases.list())
      for (const a of aliases) print(`${a.address} -> ${a.targets.join(', ')}`)
    })
  alias
    .command('remove <alias>')
    .option(DATA_FLAG, DATA_HELP)
    .description('remove an alias')
    .action(async (address: string, opts: DataOption) => {
      const removed = await withStore(opts, (store) => store.aliases.remove(address))
      if (!removed) throw new CliError(`no such alias: ${address}`)
      print(`removed alias ${address}`)
    })
}

function checkAddress(address: string): void {
  if (!ADDRESS_RE.test(address)) throw new CliError(`not an email address: ${address}`)
}
