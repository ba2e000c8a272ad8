// The arithmetic of the Bayesian classifier, as SpamBayes and bogofilter do it (Gary
// Robinson, "A Statistical Approach to the Spam Problem", 2003):
//
// - each token's spam probability from its counts, f(w) = (s·x + n·p(w)) / (s + n), where
//   p(w) = spamFreq / (spamFreq + hamFreq) with frequencies relative to the messages trained
//   in each class, n the messages the token was seen in, x the value assumed for an unknown
//   token (0.5) and s the strength of that assumption (1);
// - only the most significant tokens count (|f - 0.5| >= MIN_DEVIATION, at most MAX_CLUES);
// - Fisher's chi-square combining: S = 1 - C⁻¹(-2 Σ ln(1 - f), 2N) measures spamminess,
//   H = 1 - C⁻¹(-2 Σ ln f, 2N) hamminess, and the message's probability is (1 + S - H) / 2.
// Pure functions.
import type { TokenCounts } from '../../store/types-spam-learning.ts'

export const MAX_CLUES = 150
const MIN_DEVIATION = 0.1
const STRENGTH = 1
const ASSUMED = 0.5

export interface Clue {
  token: string
  probability: number
}

/** Robinson's f(w) for one token; `totals` are the messages trained per class. */
export function tokenProbability(counts: TokenCounts, totals: TokenCounts): number {
  const spamFreq = totals.spam > 0 ? Math.min(1, counts.spam / totals.spam) : 0
  const hamFreq = totals.ham > 0 ? Math.min(1, counts.ham / totals.ham) : 0
  const n = counts.spam + counts.ham
  if (spamFreq + hamFreq === 0) return ASSUMED
  const p = spamFreq / (spamFreq + hamFreq)
  return (STRENGTH * ASSUMED + n * p) / (STRENGTH + n)
}

/** The significant tokens of a message, most significant first. */
export function selectClues(
  tokens: readonly string[],
  counts: ReadonlyMap<string, TokenCounts>,
  totals: TokenCounts,
): Clue[] {
  const clues: Clue[] = []
  for (const token of tokens) {
    const c = counts.get(token)
    if (c === undefined) continue
    const probability = tokenProbability(c, totals)
    if (Math.abs(probability - 0.5) >= MIN_DEVIATION) clues.push({ token, probability })
  }
  clues.sort((a, b) => Math.abs(b.probability - 0.5) - Math.abs(a.probability - 0.5))
  return clues.slice(0, MAX_CLUES)
}

/** Fisher-Robinson chi-square combining of the clues' probabilities; 0.5 without clues. */
export function combine(clues: readonly Clue[]): number {
  if (clues.length === 0) return 0.5
  let lnSpam = 0
  let lnHam = 0
  for (const { probability } of clues) {
    const f = Math.min(Math.max(probability, 1e-6), 1 - 1e-6)
    lnSpam += Math.log(1 - f)
    lnHam += Math.log(f)
  }
  const s = 1 - chi2Q(-2 * lnSpam, 2 * clues.length)
  const h = 1 - chi2Q(-2 * lnHam, 2 * clues.length)
  return (1 + s - h) / 2
}

/**
 * The chi-square survival function Q(x², v) for an even number of degrees of freedom v: the
 * probability that a chi-square variable exceeds x² (the series of the Poisson tail).
 */
export function chi2Q(x2: number, v: number): number {
  const m = x2 / 2
  let term = Math.exp(-m)
  let sum = term
  for (let i = 1; i < v / 2; i++) {
    term *= m / i
    sum += term
  }
  return Math.min(sum, 1)
}
