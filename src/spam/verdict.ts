// The spam verdict: one score from every hit (content rules, authentication, and the signal
// sources of src/spam/signal.ts), the action its thresholds give, the X-Spam-* header fields,
// and the explanation document stored with the message (src/store/types-spam.ts).

import type { SpamHit } from './signal.ts'

export interface SpamThresholds {
  /** Inbound: at or above, the message goes to the Junk mailbox. */
  junk: number
  /** Inbound: at or above, the message is refused at end of data (550 5.7.1). */
  reject: number
  /** Outbound pre-flight: at or above, the submission is refused with the reasons. */
  preflight: number
}

/** none: headers only; junk: Junk mailbox; reject: inbound 550; refuse: outbound pre-flight. */
export type SpamAction = 'none' | 'junk' | 'reject' | 'refuse'

export interface SourceReport {
  name: string
  status: 'ok' | 'timeout' | 'error'
  ms: number
  hits: number
  error?: string
}

export interface SpamExplanation {
  version: 1
  direction: 'inbound' | 'outbound'
  score: number
  action: SpamAction
  thresholds: SpamThresholds
  /** Every hit, highest score first. */
  hits: SpamHit[]
  /** How each signal source answered (time taken, timeouts). */
  sources: SourceReport[]
  /** Authentication results as the auth stage reported them, when it ran. */
  auth?: { spf: string; dkim: string[]; dmarc: string; header: string }
  analyzedAt: number
  durationMs: number
}

export type SpamVerdict = SpamExplanation

export function roundScore(n: number): number {
  return Math.round(n * 10) / 10
}

export function decideAction(
  score: number,
  direction: 'inbound' | 'outbound',
  t: SpamThresholds,
): SpamAction {
  if (direction === 'outbound') return score >= t.preflight ? 'refuse' : 'none'
  if (score >= t.reject) return 'reject'
  if (score >= t.junk) return 'junk'
  return 'none'
}

/** Rule names for X-Spam-Status "tests=": positive hits, highest first, at most 30. */
function testNames(v: SpamVerdict): string {
  const names = v.hits.filter((h) => h.score !== 0).map((h) => h.rule)
  return [...new Set(names)].slice(0, 30).join(',') || 'NONE'
}

/** The header fields an inbound verdict adds, each ending with CRLF (SpamAssassin's format). */
export function spamHeaderFields(v: SpamVerdict): string[] {
  const score = v.score.toFixed(1)
  const yes = v.action === 'none' ? 'No' : 'Yes'
  const tests = testNames(v)
  const status = `${yes}, score=${score} required=${v.thresholds.junk.toFixed(1)} tests=${tests}`
  return [`X-Spam-Score: ${score}\r\n`, `X-Spam-Status: ${foldField('X-Spam-Status', status)}\r\n`]
}

/** Folds a long value at commas so no line exceeds 78 characters (RFC 5322 2.1.1). */
function foldField(name: string, value: string): string {
  const out: string[] = []
  let line = ''
  let width = name.length + 2
  for (const piece of value.split(/(?<=,)/)) {
    if (width + line.length + piece.length > 78 && line !== '') {
      out.push(line)
      line = ''
      width = 1
    }
    line += piece
  }
  out.push(line)
  return out.join('\r\n\t')
}

/** The top reasons, for a refusal reply: "GTUBE (contains ...); PHRASE_PRIZE (...)". */
export function topReasons(v: SpamVerdict, count = 3, maxChars = 300): string {
  const top = v.hits.filter((h) => h.score > 0).slice(0, count)
  const text = top.map((h) => `${h.rule}: ${h.reason}`).join('; ')
  const ascii = text.replace(/[^\x20-\x7e]/g, '?')
  return ascii.length > maxChars ? `${ascii.slice(0, maxChars - 3)}...` : ascii
}

export function sortHits(hits: SpamHit[]): SpamHit[] {
  return hits.sort((a, b) => b.score - a.score || a.rule.localeCompare(b.rule))
}
