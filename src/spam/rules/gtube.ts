// Rule family "gtube": the Generic Test for Unsolicited Bulk Email, SpamAssassin's standard
// test string. A message containing it is always spam, scored above any reject threshold, so
// that an administrator can test the whole path (headers, Junk, 550) end to end.
import type { SpamHit } from '../signal.ts'
import type { MessageFacts } from '../message-facts.ts'
import { ruleHit } from './types.ts'

export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'
export const GTUBE_SCORE = 1000

export function gtubeRules(facts: MessageFacts): SpamHit[] {
  const found =
    facts.raw.includes(GTUBE, 0, 'latin1') ||
    facts.plainText.includes(GTUBE) ||
    facts.htmlText.includes(GTUBE)
  return found ? [ruleHit('GTUBE', GTUBE_SCORE, 'contains the GTUBE anti-spam test string')] : []
}
