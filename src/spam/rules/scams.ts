// Rule family "scams": fraud that words alone do not give away, found by what co-occurs.
// - MONEY_LARGE_SUM: an amount of 100,000 or more in a currency ("US$28,500,000.00",
//   "USD 10.5M", "€8.5 million", "4.8 million dollars").
// - SCAM_LARGE_SUM: such a sum with wording that moves it to the reader (transfer, receive,
//   release, entitled, share, claim...) and the setting of advance-fee or lottery fraud
//   (beneficiary, next of kin, deceased, barrister, consignment, lottery, draw...). Talking
//   about a fraud ("a barrister wants to make him next of kin") moves no money and is spared;
//   so is a post to a discussion list (news of ministries and funds), and one setting word must
//   be of fraud alone (beneficiary, next of kin, lottery...).
// - BITCOIN_ADDRESS: a Bitcoin address in the text (legacy base58 or bech32 "bc1...").
// - BITCOIN_EXTORTION: a Bitcoin address with the words of sextortion (webcam, recorded,
//   malware, contacts, video...).
// - STOCK_PUMP: a ticker with a penny price and a target or "about to explode" (pump and dump),
//   in mail that is not from a list.
// Bounded: the text is read up to MAX_TEXT characters; every pattern is linear.

import type { SpamHit } from '../signal.ts'
import type { MessageFacts } from '../message-facts.ts'
import { normalizeText } from './normalize.ts'
import { splitQuoted } from './quoting.ts'
import { isDiscussionList, isListMail } from './senders.ts'
import { ruleHit } from './types.ts'

const MAX_TEXT = 50_000
const MAX_AMOUNTS = 200
const LARGE = 100_000

const NUMBER = String.raw`(\d{1,3}(?:[,.' ]\d{3}){1,5}|\d{1,12})(?:[.,](\d{1,2}))?`
const MULTIPLIER = String.raw`(?:\s?(million|billion|m|bn|k)\b)?`
/** "$2,500,000.00", "US$ 28.5 million", "€8.5 million", "USD 10.5M". */
const PREFIXED = new RegExp(String.raw`(?:US\$|USD|\$|€|EUR|£|GBP)\s?${NUMBER}${MULTIPLIER}`, 'gi')
/** "5.300.000 USD", "4.8 million dollars", "250.000 Euro". */
const SUFFIXED = new RegExp(
  String.raw`\b${NUMBER}\s?(million|billion)?\s?(?:usd|eur|euros?|dollars?|pounds|gbp)\b`,
  'gi',
)

/** What the prefixed forms start with: a sign or an upper-case code (a cheap test first). */
const CURRENCY_MARK = /[$€£]|USD|EUR|GBP/

const SCALE: Record<string, number> = { million: 1e6, m: 1e6, billion: 1e9, bn: 1e9, k: 1e3 }

function amount(whole: string, cents: string | undefined, multiplier: string | undefined): number {
  const n = Number(`${whole.replace(/[,.' ]/g, '')}.${cents ?? '0'}`)
  return n * (SCALE[(multiplier ?? '').toLowerCase()] ?? 1)
}

/** The largest currency amount in the text (0 when none). */
export function largestAmount(text: string): number {
  let max = 0
  let seen = 0
  // The prefixed forms need a currency sign or code: skip their scan when there is none.
  const prefixed = CURRENCY_MARK.test(text)
  for (const re of prefixed ? [PREFIXED, SUFFIXED] : [SUFFIXED]) {
    re.lastIndex = 0
    for (let m = re.exec(text); m !== null && seen < MAX_AMOUNTS; m = re.exec(text)) {
      seen++
      max = Math.max(max, amount(m[1] ?? '0', m[2], m[3]))
    }
  }
  return max
}

/** Words that move money to the reader. */
const MOVEMENT = new Set([
  'transfer',
  'transferred',
  'fund',
  'funds',
  'release',
  'receive',
  'entitled',
  'share',
  'percent',
  'claim',
  'donate',
  'remit',
  'payout',
  'disburse',
  'proceeds',
  // de, fr, es (folded: no diacritics)
  'uberweisen',
  'uberweisung',
  'transferieren',
  'auszahlung',
  'transferer',
  'transfert',
  'fonds',
  'recevoir',
  'transferir',
  'fondos',
  'recibir',
  'recibira',
])
/** The setting of advance-fee and lottery fraud. */
const SETTING = new Set([
  'beneficiary',
  'beneficiaries',
  'kin',
  'deceased',
  'late',
  'inheritance',
  'barrister',
  'attorney',
  'lawyer',
  'confidential',
  'compensation',
  'consignment',
  'diplomatic',
  'trunk',
  'dormant',
  'suspense',
  'unclaimed',
  'foreign',
  'partner',
  'proposal',
  'lottery',
  'winner',
  'won',
  'draw',
  'award',
  'atm',
  'courier',
  'widow',
  'minister',
  'ministry',
  'audit',
  'erbschaft',
  'verstorben',
  'verstorbenen',
  'nachlass',
  'gewinner',
  'lotterie',
  'vertraulich',
  'defunt',
  'veuve',
  'heritage',
  'beneficiaire',
  'loterie',
  'gagnant',
  'confidentiel',
  'difunto',
  'viuda',
  'herencia',
  'beneficiario',
  'socio',
  'extranjero',
  'loteria',
  'ganador',
  'confidencial',
])
/** Setting words that news of governments and business rarely use. */
const STRONG_SETTING = new Set([
  'beneficiary',
  'beneficiaries',
  'kin',
  'deceased',
  'inheritance',
  'barrister',
  'consignment',
  'trunk',
  'dormant',
  'suspense',
  'unclaimed',
  'lottery',
  'winner',
  'atm',
  'widow',
  'erbschaft',
  'verstorbenen',
  'lotterie',
  'gewinner',
  'defunt',
  'veuve',
  'beneficiaire',
  'loterie',
  'gagnant',
  'difunto',
  'viuda',
  'herencia',
  'beneficiario',
  'loteria',
  'ganador',
])
const EXTORTION = new Set([
  'webcam',
  'camera',
  'recorded',
  'video',
  'malware',
  'trojan',
  'hacked',
  'hacker',
  'porn',
  'adult',
  'contacts',
  'password',
  'device',
  'delete',
  'hours',
  'aufgenommen',
  'schadsoftware',
  'kontakte',
  'stunden',
  'enregistre',
  'heures',
  'grabado',
  'contactos',
  'horas',
])

/** Legacy (base58, 1... or 3...) or bech32 (bc1...) address; what precedes it is checked apart. */
const BTC_ADDRESS = /(?:bc1[ac-hj-np-z02-9]{25,59}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})(?![\w/=&.-])/g
/** A character that makes a match part of a longer word, URL or parameter. */
const JOINED = /[\w/=?&.-]/

/** The first Bitcoin address standing alone in the text. */
export function bitcoinAddress(text: string): string | undefined {
  BTC_ADDRESS.lastIndex = 0
  for (
    let n = 0, m = BTC_ADDRESS.exec(text);
    m !== null && n < 100;
    n++, m = BTC_ADDRESS.exec(text)
  ) {
    if (m.index === 0 || !JOINED.test(text[m.index - 1] ?? '')) return m[0]
  }
  return undefined
}

const STOCK_WORDS = new Set(['symbol', 'ticker', 'otc', 'shares', 'stock', 'trading', 'price'])
const PUMP_WORDS = new Set([
  'target',
  'projected',
  'explode',
  'soar',
  'skyrocket',
  'breakout',
  'radar',
  'gained',
  'undervalued',
])
/** A penny price: "$0.08", "at: 0.19", "Price: $0.12". */
const PENNY_PRICE = /(?:\$\s?|:\s?)0\.\d{2,3}\b/

function distinct(tokens: readonly string[], set: ReadonlySet<string>): string[] {
  const out = new Set<string>()
  for (const t of tokens) if (set.has(t)) out.add(t)
  return [...out]
}

export function scamRules(facts: MessageFacts): SpamHit[] {
  const split = splitQuoted(facts)
  const body = split.quoted === '' ? `${facts.plainText}\n${facts.htmlText}` : split.own
  const text = `${facts.subject}\n${body}`.slice(0, MAX_TEXT)
  const hits: SpamHit[] = []
  const sum = largestAmount(text)
  const btc = bitcoinAddress(text)
  const tokens = sum >= LARGE || btc !== undefined ? normalizeText(text).tokens : []
  if (sum >= LARGE) {
    const shown = sum.toLocaleString('en-US', { maximumFractionDigits: 0 })
    hits.push(ruleHit('MONEY_LARGE_SUM', 0.5, `a large sum of money (${shown})`))
    const moves = distinct(tokens, MOVEMENT)
    const setting = distinct(tokens, SETTING)
    const strong = setting.some((w) => STRONG_SETTING.has(w))
    if (moves.length >= 1 && setting.length >= 2 && strong && !isDiscussionList(facts)) {
      hits.push(
        ruleHit(
          'SCAM_LARGE_SUM',
          2.0,
          `a large sum offered to the reader in the setting of advance-fee or lottery fraud (${[...moves, ...setting].slice(0, 5).join(', ')})`,
        ),
      )
    }
  }
  const pump = stockPump(facts, text)
  if (pump !== undefined) hits.push(pump)
  if (btc !== undefined) {
    hits.push(ruleHit('BITCOIN_ADDRESS', 1.0, `a Bitcoin address (${btc.slice(0, 12)}...)`))
    const words = distinct(tokens, EXTORTION)
    if (words.length >= 3) {
      hits.push(
        ruleHit(
          'BITCOIN_EXTORTION',
          2.5,
          `a Bitcoin address with blackmail words (${words.slice(0, 5).join(', ')})`,
        ),
      )
    }
  }
  return hits
}

function stockPump(facts: MessageFacts, text: string): SpamHit | undefined {
  // Market news from a list the reader subscribed to quotes prices and targets too.
  if (isListMail(facts) || !PENNY_PRICE.test(text)) return undefined
  const tokens = normalizeText(text.slice(0, 20_000)).tokens
  const stock = distinct(tokens, STOCK_WORDS)
  const pump = distinct(tokens, PUMP_WORDS)
  if (stock.length === 0 || pump.length === 0) return undefined
  return ruleHit(
    'STOCK_PUMP',
    3.0,
    `a penny-stock tip (${[...stock, ...pump].slice(0, 4).join(', ')}): pump and dump`,
  )
}
