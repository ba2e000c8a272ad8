// Every content rule family, run in order over one parse of the message; presentation traits
// alone are capped below the junk threshold (style-cap.ts).
import type { SpamHit } from '../signal.ts'
import { messageFacts, type MessageFacts } from '../message-facts.ts'
import { attachmentRules } from './attachments.ts'
import { bulkRules } from './bulk.ts'
import { gtubeRules } from './gtube.ts'
import { linkRules } from './links.ts'
import { phishingRules } from './phishing.ts'
import { phraseRules } from './phrases.ts'
import { scamRules } from './scams.ts'
import { structureRules } from './structure.ts'
import { styleCap } from './style-cap.ts'
import type { RuleFamily } from './types.ts'

export const RULE_FAMILIES: readonly { name: string; run: RuleFamily }[] = [
  { name: 'gtube', run: gtubeRules },
  { name: 'phrases', run: (f) => phraseRules(f) },
  { name: 'links', run: linkRules },
  { name: 'attachments', run: attachmentRules },
  { name: 'structure', run: structureRules },
  { name: 'scams', run: scamRules },
  { name: 'phishing', run: phishingRules },
  { name: 'bulk', run: bulkRules },
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
  const cap = styleCap(hits)
  if (cap !== undefined) hits.push(cap)
  return { facts, hits }
}
