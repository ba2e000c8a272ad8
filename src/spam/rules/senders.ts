// Who a message says it is from and to, for the content rules: the From mailbox and domain,
// and the addresses of To and Cc (RFC 5322 3.6.2, 3.6.3), parsed with src/mail/address-list.ts
// from at most MAX_FIELD characters of each field.

import { parseAddressList } from '../../mail/address-list.ts'
import { header, type MessageFacts } from '../message-facts.ts'

const MAX_FIELD = 20_000

export interface Mailbox {
  name: string | null
  localPart: string | null
  domain: string | null
}

export function mailboxes(value: string): Mailbox[] {
  const out: Mailbox[] = []
  for (const e of parseAddressList(value.slice(0, MAX_FIELD))) {
    if (e.kind === 'mailbox') {
      out.push({
        name: e.mailbox.nameDecoded,
        localPart: e.mailbox.localPart,
        domain: e.mailbox.domain,
      })
    } else {
      for (const m of e.members) {
        out.push({ name: m.nameDecoded, localPart: m.localPart, domain: m.domain })
      }
    }
  }
  return out
}

const fromBoxes = new WeakMap<MessageFacts, Mailbox | undefined>()

/** The first From mailbox, parsed once per message. */
function fromBox(facts: MessageFacts): Mailbox | undefined {
  if (fromBoxes.has(facts)) return fromBoxes.get(facts)
  const box = mailboxes(facts.from)[0]
  fromBoxes.set(facts, box)
  return box
}

/** The From address, lower case ("user@example.org"), or undefined. */
export function fromAddress(facts: MessageFacts): string | undefined {
  const box = fromBox(facts)
  if (box?.localPart == null || box.domain === null) return undefined
  return `${box.localPart}@${box.domain}`.toLowerCase()
}

export function fromDomain(facts: MessageFacts): string | undefined {
  return fromBox(facts)?.domain?.toLowerCase() ?? undefined
}

/** The addresses in To and Cc, lower case. */
export function recipientAddresses(facts: MessageFacts): string[] {
  const out: string[] = []
  for (const name of ['to', 'cc']) {
    const value = header(facts, name)
    if (value === undefined) continue
    for (const b of mailboxes(value)) {
      if (b.localPart !== null && b.domain !== null) {
        out.push(`${b.localPart}@${b.domain}`.toLowerCase())
      }
    }
  }
  return out
}

/**
 * A delivery report or bounce: multipart/report (RFC 6522 3), or from MAILER-DAEMON or
 * postmaster. It quotes the mail it returns, whose wording is not the report's own.
 */
export function isDeliveryReport(facts: MessageFacts): boolean {
  if (/^\s*multipart\/report\b/i.test(header(facts, 'content-type') ?? '')) return true
  const local = fromBox(facts)?.localPart?.toLowerCase() ?? ''
  return local === 'mailer-daemon' || local === 'postmaster'
}

/**
 * A post to a discussion list (List-Id, RFC 2919 2; List-Post, RFC 2369 3.4; Mailing-List):
 * people the reader chose to hear from, who link to and quote all kinds of things.
 */
export function isDiscussionList(facts: MessageFacts): boolean {
  return facts.fields.some(
    (f) => f.key === 'list-id' || f.key === 'list-post' || f.key === 'mailing-list',
  )
}

/** Mail from a list or an honest bulk sender: List-Unsubscribe (RFC 2369 3.2), List-Id (RFC 2919 2), Precedence: bulk/list. */
export function isListMail(facts: MessageFacts): boolean {
  for (const name of ['list-unsubscribe', 'list-id', 'mailing-list']) {
    if (facts.fields.some((f) => f.key === name)) return true
  }
  return /^\s*(?:bulk|list)\b/i.test(header(facts, 'precedence') ?? '')
}
