// Text normalisation for obfuscation-insensitive phrase matching: Unicode compatibility forms
// (fullwidth and mathematical letters), diacritics, confusable letters of other scripts,
// zero-width characters, leetspeak digits inside words ("v1agra", "fr33") and letters spaced
// or punctuated apart ("B U Y", "c.l.i.c.k"). Linear in the input; the caller caps its size.

/** Cyrillic and Greek letters that look like Latin ones (lower case, after NFKD). */
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  ո: 'n',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ı: 'i',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
}

/** Digits and symbols used as letters inside words. */
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '@': 'a',
  $: 's',
}

/** Zero-width and invisible formatting characters (and the soft hyphen). */
// Joiners are listed on purpose: the class matches them one by one.
export const INVISIBLE_CHARS =
  // eslint-disable-next-line no-misleading-character-class
  /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u206a-\u206f\ufeff]/gu

export interface NormalizedText {
  /** Word tokens after full de-obfuscation. */
  tokens: string[]
  /** Which tokens were rebuilt from letters spaced apart ("b u y n o w" -> "buynow"). */
  joined: Set<number>
}

/** Lower case, compatibility-decomposed, marks removed: what every form starts from. */
export function fold(text: string): string {
  if (isAscii(text)) return text.toLowerCase()
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
}

/**
 * Text folded without de-obfuscation (to tell obfuscated matches apart): lower case,
 * canonical decomposition without marks; fullwidth and mathematical letters stay apart.
 */
export function plainFold(text: string): string {
  const s = text.replace(/['’]/g, ' ')
  if (isAscii(s)) return s.toLowerCase()
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
}

/** Fully de-obfuscated tokens. */
export function normalizeText(text: string): NormalizedText {
  let s = fold(text.replace(INVISIBLE_CHARS, '').replace(/['’]/g, ' '))
  if (!isAscii(s)) s = s.replace(/[^\p{ASCII}]/gu, (c) => CONFUSABLES[c] ?? c)
  // "@" and "$" between or beside letters are letters in disguise ("c@sh", "$ave").
  if (s.includes('@') || s.includes('$')) {
    s = s.replace(/[@$](?=\p{L})|(?<=\p{L})[@$]/gu, (c) => LEET[c] ?? c)
  }
  if (isAscii(s)) return asciiTokens(s)
  const raw = s.split(/[^\p{L}\p{N}]+/u)
  const tokens: string[] = []
  const joined = new Set<number>()
  let run: string[] = []
  const flushRun = (): void => {
    if (run.length >= 3) {
      joined.add(tokens.length)
      tokens.push(run.join(''))
    } else tokens.push(...run)
    run = []
  }
  for (const t of raw) {
    if (t === '') continue
    if (t.length === 1 && (isAsciiLetter(t.charCodeAt(0)) || /\p{L}/u.test(t))) {
      run.push(t)
      continue
    }
    flushRun()
    tokens.push(deLeet(t))
  }
  flushRun()
  return { tokens, joined }
}

/** Digits inside a word that also has letters become the letters they imitate. */
function deLeet(token: string): string {
  if (!/\d/.test(token) || !/\p{L}/u.test(token) || /^\d+$/.test(token)) return token
  // Digits between letters, or at a word's edge next to letters ("fr33", "v1agra", "4free").
  return token.replace(/\d/g, (d) => LEET[d] ?? d)
}

/** A phrase as a token sequence, normalised the same way as text. */
export function phraseTokens(phrase: string): string[] {
  return fold(phrase.replace(/['’]/g, ' '))
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '')
}

/** How many times `re` (global) matches in `text`, counting at most `max`. */
export function countUpTo(text: string, re: RegExp, max: number): number {
  re.lastIndex = 0
  let n = 0
  while (n < max && re.exec(text) !== null) n++
  re.lastIndex = 0
  return n
}

function isAscii(text: string): boolean {
  return /^[\p{ASCII}]*$/u.test(text)
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)
}

/**
 * The ASCII fast path of normalizeText in one pass over char codes: words of [a-z0-9],
 * leetspeak digits mapped in words that also have letters, runs of single letters joined.
 */
function asciiTokens(s: string): NormalizedText {
  const tokens: string[] = []
  const joined = new Set<number>()
  let run = ''
  let runLength = 0
  let start = -1
  let digits = false
  let letters = false
  const flushRun = (): void => {
    if (runLength >= 3) {
      joined.add(tokens.length)
      tokens.push(run)
    } else for (const c of run) tokens.push(c)
    run = ''
    runLength = 0
  }
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0
    const letter = c >= 0x61 && c <= 0x7a
    const digit = c >= 0x30 && c <= 0x39
    if (letter || digit) {
      if (start === -1) {
        start = i
        digits = false
        letters = false
      }
      if (digit) digits = true
      else letters = true
      continue
    }
    if (start === -1) continue
    const word = s.slice(start, i)
    start = -1
    if (word.length === 1 && letters) {
      run += word
      runLength++
      continue
    }
    if (runLength > 0) flushRun()
    tokens.push(digits && letters ? word.replace(/\d/g, (d) => LEET[d] ?? d) : word)
  }
  if (runLength > 0) flushRun()
  return { tokens, joined }
}
