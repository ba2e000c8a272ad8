// Every content rule family, run in order over one parse of the message.
import type { SpamHit } from '../signal.ts'
import { messageFacts, type MessageFacts } from '../message-facts.ts'
import { attachmentRules } from './attachments.ts'
import { gtubeRules } from './gtube.ts'
import { linkRules } from './links.ts'
import { phraseRules } from './phrases.ts'
import { structureRules } from './structure.ts'
import type { RuleFamily } from './types.ts'

export const RULE_FAMILIES: readonly { name: string; run: RuleFamily }[] = [
  { name: 'gtube', run: gtubeRules },
  { name: 'phrases', run: (f) => phraseRules(f) },
  { name: 'links', run: linkRules },
  { name: 'attachments', run: attachmentRules },
  { name: 'structure', run: structureRules },
]

/** Parses the message and runs every family; a family that throws is reported, not fatal. */
export function runContentRules(raw: Buffer): { facts: MessageFacts; hits: SpamHit[] } {
  const facts = messageFacts(raw)
  const hits: SpamHit[] = []
  for (const family of RULE_FAMILIES) {
    try {
      hits.push(...family.run(facts))
    } catch (err) {
      hits.push({
        rule: 'RULE_ERROR',
        source: 'rule',
        score: 0,
        reason: `rule family ${family.name} failed: ${err instanceof Error ? err.message : String(err)}`,
      })
    }
  }
  return { facts, hits }
}
