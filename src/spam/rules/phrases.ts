// Rule family "phrases": spam wording from the lists in src/spam/data/phrases-<lang>.json
// (en, de, fr, es), matched on word boundaries after de-obfuscation (normalize.ts): case,
// diacritics, confusable letters, zero-width characters, leetspeak and letters spaced apart
// all match. One hit per category (PHRASE_PRIZE, PHRASE_PHARMA...), its score the sum of the
// distinct phrases found, capped; PHRASE_OBFUSCATED when a phrase was found only after
// de-obfuscation (someone hid it on purpose).

import { readFileSync } from 'node:fs'
import type { SpamHit } from '../signal.ts'
import { allText, type MessageFacts } from '../message-facts.ts'
import { normalizeText, phraseTokens, plainFold } from './normalize.ts'
import { splitQuoted } from './quoting.ts'
import { isDiscussionList } from './senders.ts'
import { ruleHit } from './types.ts'

export const PHRASE_LANGUAGES = ['en', 'de', 'fr', 'es'] as const
const OBFUSCATED_SCORE = 2.5
/** What a phrase found only in quoted or forwarded text counts for. */
const QUOTED_SHARE = 0.5
/** The wording of a security warning (en, de, fr, es). */
const NEVER_ASK =
  /\b(?:never|not) (?:ask|request|send)\b|\bniemals\b|\bjamais\b|\bnunca (?:le |te )?(?:pedir|solicit)/i
/** Phrase matching reads at most this many characters of text. */
const MAX_SCAN_CHARS = 200_000

interface CategoryFile {
  weight: number
  cap: number
  reason: string
  phrases: string[]
}

interface Phrase {
  text: string
  tokens: string[]
  compact: string
  category: string
}

interface Category {
  weight: number
  cap: number
  reason: string
}

export interface PhraseTable {
  categories: Map<string, Category>
  /** Phrases by their first token. */
  byFirst: Map<string, Phrase[]>
  /** Phrases long enough to look for inside letters joined from a spaced run. */
  compact: Phrase[]
}

export function loadPhraseTable(langs: readonly string[] = PHRASE_LANGUAGES): PhraseTable {
  const table: PhraseTable = { categories: new Map(), byFirst: new Map(), compact: [] }
  for (const lang of langs) {
    const url = new URL(`../data/phrases-${lang}.json`, import.meta.url)
    const file = JSON.parse(readFileSync(url, 'utf8')) as {
      categories: Record<string, CategoryFile>
    }
    for (const [name, cat] of Object.entries(file.categories)) {
      if (!table.categories.has(name)) {
        table.categories.set(name, { weight: cat.weight, cap: cat.cap, reason: cat.reason })
      }
      for (const text of cat.phrases) addPhrase(table, text, name)
    }
  }
  return table
}

function addPhrase(table: PhraseTable, text: string, category: string): void {
  const tokens = phraseTokens(text)
  const first = tokens[0]
  if (first === undefined) return
  const phrase: Phrase = { text, tokens, compact: tokens.join(''), category }
  const list = table.byFirst.get(first) ?? []
  list.push(phrase)
  table.byFirst.set(first, list)
  if (phrase.compact.length >= 6) table.compact.push(phrase)
}

function startsAt(tokens: readonly string[], i: number, phrase: Phrase): boolean {
  for (let k = 1; k < phrase.tokens.length; k++) {
    if (tokens[i + k] !== phrase.tokens[k]) return false
  }
  return true
}

/** The phrases found in a token list (and in joined spaced-out runs when given). */
export function findPhrases(
  table: PhraseTable,
  tokens: readonly string[],
  joined?: ReadonlySet<number>,
): Set<Phrase> {
  const found = new Set<Phrase>()
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? ''
    for (const phrase of table.byFirst.get(token) ?? []) {
      if (startsAt(tokens, i, phrase)) found.add(phrase)
    }
    if (joined?.has(i) === true) {
      for (const phrase of table.compact) if (token.includes(phrase.compact)) found.add(phrase)
    }
  }
  return found
}

let defaultTable: PhraseTable | undefined

export function phraseRules(facts: MessageFacts, table?: PhraseTable): SpamHit[] {
  const t = table ?? (defaultTable ??= loadPhraseTable())
  const text = allText(facts).slice(0, MAX_SCAN_CHARS)
  const normalized = normalizeText(text)
  const found = findPhrases(t, normalized.tokens, normalized.joined)
  if (found.size === 0) return []
  // In a reply or forward, wording found only in the quoted part counts half (quoting.ts).
  const split = splitQuoted(facts)
  let own = found
  if (split.quoted !== '') {
    const ownText = normalizeText(`${facts.subject}\n${split.own}`.slice(0, MAX_SCAN_CHARS))
    own = findPhrases(t, ownText.tokens, ownText.joined)
  }
  const hits = categoryHits(t, found, own, NEVER_ASK.test(text), isDiscussionList(facts))
  const plainText = plainFold(text)
  const hidden = [...own].filter((p) => !appearsPlainly(plainText, p)).map((p) => p.text)
  if (hidden.length > 0) {
    const quoted = [...new Set(hidden)]
      .slice(0, 3)
      .map((p) => `"${p}"`)
      .join(', ')
    hits.push(
      ruleHit('PHRASE_OBFUSCATED', OBFUSCATED_SCORE, `spam wording disguised: ${quoted}`, {
        phrases: [...new Set(hidden)].slice(0, 10),
      }),
    )
  }
  return hits
}

/**
 * One hit per category: its weight per distinct phrase (half for quoted-only), capped. A
 * security warning ("we will never ask you to verify your account") names the phishing
 * phrases it warns against: they count half there; so does all wording in a post to a
 * discussion list, where people discuss and paste what they receive.
 */
function categoryHits(
  t: PhraseTable,
  found: Set<Phrase>,
  own: Set<Phrase>,
  warning: boolean,
  list: boolean,
): SpamHit[] {
  const byCategory = new Map<string, Map<string, number>>()
  for (const p of found) {
    const shares = byCategory.get(p.category) ?? new Map<string, number>()
    const share = own.has(p) ? 1 : QUOTED_SHARE
    shares.set(p.compact, Math.max(shares.get(p.compact) ?? 0, share))
    byCategory.set(p.category, shares)
  }
  const hits: SpamHit[] = []
  for (const [name, shares] of byCategory) {
    const cat = t.categories.get(name)
    if (cat === undefined) continue
    const phrases = [...found].filter((p) => p.category === name).map((p) => p.text)
    const unique = [...new Set(phrases)].slice(0, 10)
    const factor = (warning && name === 'phishing') || list ? QUOTED_SHARE : 1
    const sum = factor * [...shares.values()].reduce((a, b) => a + b, 0)
    const score = Math.min(cat.cap, cat.weight * sum)
    const quoted = unique
      .slice(0, 3)
      .map((p) => `"${p}"`)
      .join(', ')
    hits.push(
      ruleHit(`PHRASE_${name.toUpperCase()}`, round(score), `${cat.reason}: ${quoted}`, {
        phrases: unique,
      }),
    )
  }
  return hits
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}

/** Whether the phrase is written plainly: its words, separated by non-word characters. */
function appearsPlainly(plainText: string, phrase: Phrase): boolean {
  const words = phrase.tokens.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  const re = new RegExp(
    `(?<![\\p{L}\\p{N}])${words.join('[^\\p{L}\\p{N}]+')}(?![\\p{L}\\p{N}])`,
    'u',
  )
  return re.test(plainText)
}
