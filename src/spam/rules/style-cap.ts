// How a message is dressed (HTML only, shouting, marketing wording, missing Date or
// Message-ID, an opt-out footer without list fields...) is shared by legitimate bulk mail,
// old mailers and test fixtures. Such presentation traits alone never send a message to Junk:
// when every content hit is one of them, their sum is capped at STYLE_CAP (below the default
// junk threshold of 5) by one negative hit, STYLE_ONLY_CAP, that says so. Any sign of
// deception or harm (a lying link, a look-alike domain, fraud or pharma wording, an
// executable...) lifts the cap; Bayes, reputation and blocklists are never capped.
import type { SpamHit } from '../signal.ts'
import { ruleHit } from './types.ts'

export const STYLE_CAP = 4.5

export const STYLE_RULES: ReadonlySet<string> = new Set([
  'HTML_ONLY',
  'HTML_IMAGE_ONLY',
  'URL_HIGH_RATIO',
  'URL_MANY_DOMAINS',
  'MISSING_DATE',
  'MISSING_MESSAGE_ID',
  'MALFORMED_MESSAGE_ID',
  'MALFORMED_HEADER',
  'SUBJECT_ALL_CAPS',
  'SUBJECT_SHOUTING_WORDS',
  'SUBJECT_PUNCTUATION',
  'SUBJECT_FREE',
  'SUBJECT_MONEY',
  'SUBJECT_RE_NOT_REPLY',
  'EXCESSIVE_EXCLAMATION',
  'BODY_SHOUTING',
  'BODY_CAPS_LINES',
  'BULK_NO_LIST_HEADERS',
  'PHRASE_MARKETING',
  'PHRASE_URGENCY',
  'PHRASE_GREETING',
])

/** The capping hit for content hits that are all presentation traits, if they exceed the cap. */
export function styleCap(hits: readonly SpamHit[]): SpamHit | undefined {
  const positive = hits.filter((h) => h.score > 0)
  if (positive.length === 0 || positive.some((h) => !STYLE_RULES.has(h.rule))) return undefined
  const sum = positive.reduce((s, h) => s + h.score, 0)
  if (sum <= STYLE_CAP) return undefined
  return ruleHit(
    'STYLE_ONLY_CAP',
    Math.round((STYLE_CAP - sum) * 100) / 100,
    `only presentation traits, no sign of deception or harm: capped at ${STYLE_CAP}`,
  )
}
