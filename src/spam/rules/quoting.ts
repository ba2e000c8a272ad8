// The author's own words of a reply or forward: a person who quotes or forwards a spam to ask
// about it ("is this real?") should not be scored as if they had sent it. Lines quoted with
// ">" (RFC 3676 4.5 quote marks) and everything after a forwarded-message or original-message
// separator are set apart; the content rules weigh wording found only there at half weight.
// Applies only to messages that say they are a reply or a forward (a "Re:"/"Fwd:" subject or
// In-Reply-To/References), so a spam cannot hide behind quote marks of its own invention
// unless it also poses as a reply.

import { countFields, type MessageFacts } from '../message-facts.ts'

/** Lines that start a forwarded or quoted original, in the clients' usual wordings. */
const SEPARATOR =
  /^\s*(?:-{2,}\s*(?:Forwarded message|Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Weitergeleitete Nachricht|Message transféré)\b.*|Begin forwarded message:.*|_{20,}\s*)$/im
const REPLY_SUBJECT = /^\s*(?:(?:re|fw|fwd|aw|wg|tr|rv|sv)\s*(?:\[\d+\])?\s*:\s*)+/i

export interface SplitText {
  /** What the author wrote. */
  own: string
  /** Quoted and forwarded text ('' for a message that is not a reply or forward). */
  quoted: string
}

export function isReplyOrForward(facts: MessageFacts): boolean {
  return (
    REPLY_SUBJECT.test(facts.subject) ||
    countFields(facts, 'in-reply-to') > 0 ||
    countFields(facts, 'references') > 0
  )
}

const splits = new WeakMap<MessageFacts, SplitText>()

/** Splits the plain text of a reply or forward into the author's words and the quoted part. */
export function splitQuoted(facts: MessageFacts): SplitText {
  const cached = splits.get(facts)
  if (cached !== undefined) return cached
  const split = splitOnce(facts)
  splits.set(facts, split)
  return split
}

function splitOnce(facts: MessageFacts): SplitText {
  const text = facts.plainText
  if (!isReplyOrForward(facts) || text === '') return { own: text, quoted: '' }
  const sep = SEPARATOR.exec(text)
  const head = sep === null ? text : text.slice(0, sep.index)
  const forwarded = sep === null ? '' : text.slice(sep.index)
  const own: string[] = []
  const quoted: string[] = [forwarded]
  for (const line of head.split('\n')) {
    if (line.startsWith('>')) quoted.push(line)
    else own.push(line)
  }
  return { own: own.join('\n'), quoted: quoted.join('\n') }
}
