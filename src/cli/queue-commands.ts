// `postern queue list|show|retry|remove` and `postern suppression list|add|remove`: look at and
// control the outbound queue and the suppression list of a data directory. `queue retry` makes
// a message's waiting recipients due now; a running server picks them up at its next poll
// (queue.poll_interval_ms).
import type { Command } from 'commander'
import {
  RECIPIENT_STATES,
  type QueueHistoryEntry,
  type QueueListEntry,
  type RecipientState,
} from '../store/types-outbound.ts'
import { CliError } from './cli-error.ts'
import { withStore, type DataOption } from './with-store.ts'

const DATA_FLAG = '--data <dir>'
const DATA_HELP = 'data directory (default: $POSTERN_DATA, else ./data)'
const STATES: readonly RecipientState[] = RECIPIENT_STATES

function print(line: string): void {
  process.stdout.write(`${line}\n`)
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Prints rows as columns padded to the widest cell (the last column is not padded). */
function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  for (const row of [header, ...rows]) {
    print(
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
  }
}

function parseId(text: string): number {
  const id = Number(text)
  if (!Number.isSafeInteger(id) || id <= 0) throw new CliError(`not a queue id: ${text}`)
  return id
}

function isWaiting(state: RecipientState): boolean {
  return state === 'scheduled' || state === 'deferred'
}

function listRow(e: QueueListEntry): string[] {
  return [
    String(e.queueId),
    e.mailFrom === '' ? '<>' : e.mailFrom,
    e.address,
    e.state,
    String(e.attempts),
    isWaiting(e.state) ? iso(e.nextAttemptAt) : '-',
    e.lastReply ?? '',
  ]
}

function historyRow(h: QueueHistoryEntry): string[] {
  const host = h.remoteHost === undefined ? '' : ` [${h.remoteHost}]`
  return [iso(h.at), h.kind, h.address ?? '', `${h.detail ?? ''}${host}`]
}

type ListFlags = DataOption & { all?: boolean; state?: string }

export function addQueueCommands(program: Command): void {
  const queue = program.command('queue').description('the outbound queue')
  queue
    .command('list')
    .option(DATA_FLAG, DATA_HELP)
    .option('--all', 'every recipient, finished ones included')
    .option('--state <state>', `only this state (${STATES.join(', ')})`)
    .description('list queued recipients (waiting ones unless --all or --state)')
    .action(async (opts: ListFlags) => {
      let states: RecipientState[] = ['scheduled', 'deferred']
      if (opts.all === true) states = [...STATES]
      if (opts.state !== undefined) {
        const wanted = STATES.find((s) => s === opts.state)
        if (wanted === undefined) throw new CliError(`unknown state: ${opts.state}`)
        states = [wanted]
      }
      const entries = await withStore(opts, (store) => store.queue.list({ states }))
      printTable(
        ['ID', 'SENDER', 'RECIPIENT', 'STATE', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST REPLY'],
        entries.map(listRow),
      )
    })
  queue
    .command('show <id>')
    .option(DATA_FLAG, DATA_HELP)
    .description('a queued message: envelope, recipients and every history step')
    .action(async (idText: string, opts: DataOption) => {
      const id = parseId(idText)
      const detail = await withStore(opts, (store) => store.queue.show(id))
      if (detail === undefined) throw new CliError(`no such queued message: ${idText}`)
      const m = detail.message
      print(`queue id:    ${String(m.id)}`)
      print(`from:        ${m.mailFrom === '' ? '<>' : m.mailFrom}`)
      print(`queued at:   ${iso(m.createdAt)}`)
      print(`size:        ${String(detail.size)} bytes`)
      if (m.messageId !== undefined) print(`message-id:  ${m.messageId}`)
      if (m.envid !== undefined) print(`envid:       ${m.envid}`)
      if (m.ret !== undefined) print(`ret:         ${m.ret}`)
      if (m.submitterAccountId !== undefined)
        print(`submitter:   account ${String(m.submitterAccountId)}`)
      print('')
      printTable(
        ['ID', 'SENDER', 'RECIPIENT', 'STATE', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST REPLY'],
        detail.recipients.map(listRow),
      )
      print('')
      printTable(['TIME', 'STEP', 'RECIPIENT', 'DETAIL'], detail.history.map(historyRow))
    })
  queue
    .command('retry <id>')
    .option(DATA_FLAG, DATA_HELP)
    .description("make a message's waiting recipients due now")
    .action(async (idText: string, opts: DataOption) => {
      const id = parseId(idText)
      const n = await withStore(opts, async (store) => {
        if ((await store.queue.message(id)) === undefined) {
          throw new CliError(`no such queued message: ${idText}`)
        }
        return store.queue.retry(id, Date.now())
      })
      print(`${String(n)} recipient(s) of ${String(id)} due now`)
    })
  queue
    .command('remove <id>')
    .option(DATA_FLAG, DATA_HELP)
    .description('delete a queued message with its recipients and history (no DSN is sent)')
    .action(async (idText: string, opts: DataOption) => {
      const id = parseId(idText)
      const removed = await withStore(opts, (store) => store.queue.remove(id))
      if (!removed) throw new CliError(`no such queued message: ${idText}`)
      print(`removed ${String(id)}`)
    })
}

export function addSuppressionCommands(program: Command): void {
  const suppression = program
    .command('suppression')
    .description('addresses that bounced as unknown and are not sent to again')
  suppression
    .command('list')
    .option(DATA_FLAG, DATA_HELP)
    .description('list suppressed addresses with the reason, date and reply')
    .action(async (opts: DataOption) => {
      const entries = await withStore(opts, (store) => store.suppressions.list())
      printTable(
        ['ADDRESS', 'SINCE', 'REASON', 'REPLY'],
        entries.map((e) => [e.address, iso(e.createdAt), e.reason, e.reply ?? '']),
      )
    })
  suppression
    .command('add <address>')
    .option(DATA_FLAG, DATA_HELP)
    .option('--reason <text>', 'why', 'added by an administrator')
    .description('suppress an address by hand')
    .action(async (address: string, opts: DataOption & { reason: string }) => {
      if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw new CliError(`not an address: ${address}`)
      await withStore(opts, (store) =>
        store.suppressions.add({ address, reason: opts.reason, createdAt: Date.now() }),
      )
      print(`suppressed ${address.toLowerCase()}`)
    })
  suppression
    .command('remove <address>')
    .option(DATA_FLAG, DATA_HELP)
    .description('allow sending to an address again')
    .action(async (address: string, opts: DataOption) => {
      const removed = await withStore(opts, (store) => store.suppressions.remove(address))
      if (!removed) throw new CliError(`not suppressed: ${address}`)
      print(`removed ${address.toLowerCase()} from the suppression list`)
    })
}
