// What a content rule family sees and returns: facts of the parsed message in, hits out.
// Each family (phrases, links, attachments, structure, gtube, auth) is one module under
// src/spam/rules/ exporting a function of this shape; all are pure and bounded in CPU.
import type { SpamHit } from '../signal.ts'
import type { MessageFacts } from '../message-facts.ts'

export type RuleFamily = (facts: MessageFacts) => SpamHit[]

/** A content-rule hit (source 'rule'). */
export function ruleHit(
  rule: string,
  score: number,
  reason: string,
  detail?: Record<string, unknown>,
): SpamHit {
  return { rule, source: 'rule', score, reason, ...(detail === undefined ? {} : { detail }) }
}
