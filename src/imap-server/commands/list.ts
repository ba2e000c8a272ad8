// LIST (RFC 9051 6.3.9) with LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE
// (RFC 6154) and CHILDREN (RFC 3348), and LSUB (RFC 3501 6.3.9): the session's own account's
// mailboxes matching the patterns ("*" anything, "%" anything but the delimiter "/").
// \HasChildren / \HasNoChildren and special-use attributes are always given.
import type { ListArgs } from '../../imap/commands/list.ts'
import { atom, list as listToken, mailbox, str, untagged } from '../../imap/response.ts'
import type { Mailbox, MailboxStatus } from '../../store/types.ts'
import { AUTHENTICATED, type CommandSpec } from '../command-spec.ts'
import type { ImapSession } from '../session.ts'
import { sendStatus } from './status.ts'

const DELIMITER = '/'

export const list: CommandSpec<'list'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    const args = command.args
    // RFC 9051 6.3.9: an empty pattern asks for the delimiter and the root.
    if (args.patterns.length === 1 && args.patterns[0] === '') {
      await session.send(
        untagged(atom('LIST'), listToken([atom('\\Noselect')]), str(DELIMITER), str('')),
      )
      return undefined
    }
    await listMailboxes(session, args)
    return undefined
  },
}

export const lsub: CommandSpec<'lsub'> = {
  states: AUTHENTICATED,
  async run(session, command) {
    const { reference, pattern } = command.args
    const re = patternRegExp(reference + pattern)
    const subscribed = await session.deps.store.mailboxes.subscriptions(session.account().id)
    for (const name of subscribed.filter((n) => re.test(n))) {
      const token = mailbox(name, { isUtf8: session.isUtf8 })
      await session.send(untagged(atom('LSUB'), listToken([]), str(DELIMITER), token))
    }
    return undefined
  },
}

async function listMailboxes(session: ImapSession, args: ListArgs): Promise<void> {
  const { store } = session.deps
  const accountId = session.account().id
  const boxes = await store.mailboxes.listStatus(accountId)
  const needsSubscriptions = args.selection.subscribed || args.returns.subscribed
  const subscribed = new Set(
    needsSubscriptions ? await store.mailboxes.subscriptions(accountId) : [],
  )
  const res = args.patterns.map((p) => patternRegExp(args.reference + p))
  const matches = (name: string): boolean => res.some((re) => re.test(name))
  const byName = new Map(boxes.map((b) => [b.name, b]))
  const names = args.selection.subscribed
    ? [...subscribed].filter(matches)
    : boxes.map((b) => b.name).filter(matches)
  for (const name of names) {
    const box = byName.get(name)
    if (args.selection.specialUse && (box === undefined || !isSpecial(box))) continue
    const attrs = box === undefined ? ['\\NonExistent'] : mailboxAttributes(box, boxes)
    if (subscribed.has(name)) attrs.push('\\Subscribed')
    const token = mailbox(name, { isUtf8: session.isUtf8 })
    await session.send(untagged(atom('LIST'), listToken(attrs.map(atom)), str(DELIMITER), token))
    // RFC 5819 2: the STATUS response follows the LIST response of a selectable mailbox.
    const items = args.returns.status
    if (items !== undefined && box !== undefined) await sendStatus(session, box, items)
  }
}

function isSpecial(box: Mailbox): boolean {
  return box.specialUse !== null && box.specialUse !== '\\Inbox'
}

/** RFC 3348 / RFC 5258 3.4 child attributes and RFC 6154 2 special-use attributes. */
export function mailboxAttributes(box: Mailbox | MailboxStatus, all: readonly Mailbox[]): string[] {
  const prefix = box.name + DELIMITER
  const hasChildren = all.some((b) => b.name.startsWith(prefix))
  const attrs = [hasChildren ? '\\HasChildren' : '\\HasNoChildren']
  if (isSpecial(box) && box.specialUse !== null) attrs.push(box.specialUse)
  return attrs
}

/** RFC 9051 6.3.9: "*" matches anything, "%" anything but the hierarchy delimiter. */
export function patternRegExp(pattern: string): RegExp {
  let re = ''
  for (const ch of pattern) {
    if (ch === '*') re += '.*'
    else if (ch === '%') re += '[^/]*'
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  // RFC 9051 5.1: INBOX is case-insensitive, as a name and as the first level.
  const inbox = /^inbox(?=\/|$)/i.test(pattern) ? 'INBOX' + re.slice(5) : re
  return new RegExp(`^(?:${inbox})$`, 's')
}
