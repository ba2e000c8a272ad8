// `npm run eval:spam`: precision, recall and false-positive rate of the spam verdict on labelled
// sets, each reported on its own:
//   public:  the public material on this machine, read in place (nothing copied):
//            spam: SpamAssassin's sample-spam.txt (Debian package `spamassassin`) and the two
//            real spam messages among the mailparser fixtures (spam.eml, outofmemory.eml);
//            ham: SpamAssassin's sample-nonspam.txt and the MIME corpora under
//            /work/shared/conformance (python-email-testdata, postal-mime, mailparser,
//            mail-parser-stalwart, sisimai bounces, stalwart-mail-auth), minus the spam files;
//   tune:    test/fixtures/spam-eval/tune/{spam,ham}: hand-written messages the rules were
//            tuned on;
//   holdout: test/fixtures/spam-eval/holdout/{spam,ham}: hand-written at the same time, never
//            tuned on (the honest figure for unseen mail).
// --set NAME (repeatable) picks sets; --spam PATH --ham PATH (files, directories or mbox files;
// repeatable) evaluate another labelled set instead. A message counts as spam when the score
// is at or above --junk (spam.junk_threshold, 5). --list prints every message's score and rules.
// --train-split K adds rules + Bayes: K-fold, a fresh Bayes (src/spam/bayes with a temporary
// SQLite store, global statistics) trained on K-1 folds classifies the held-out fold.
// --compare-spamassassin adds SpamAssassin's verdict (local tests only, no Bayes, no network)
// on the same messages when the `spamassassin` program is installed.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { bayesSchema } from '../src/config/schema.ts'
import { SpamAnalyzer } from '../src/spam/analyze.ts'
import { BayesClassifier } from '../src/spam/bayes/classifier.ts'
import type { SignalInput } from '../src/spam/signal.ts'
import { GLOBAL_SCOPE } from '../src/store/types-spam-learning.ts'
import { openStore } from '../src/store/open-store.ts'

const CONFORMANCE = process.env.POSTERN_CONFORMANCE ?? '/work/shared/conformance'
const SA_EXAMPLES = '/usr/share/doc/spamassassin/examples'
const OURS = path.join(import.meta.dirname, '../test/fixtures/spam-eval')

const PUBLIC_SPAM = [
  `${SA_EXAMPLES}/sample-spam.txt`,
  `${CONFORMANCE}/mailparser-nodemailer-fixtures/spam.eml`,
  // A real image spam kept as a parser DoS regression (IP-literal links, "$1 million").
  `${CONFORMANCE}/mailparser-nodemailer-fixtures/outofmemory.eml`,
]
const PUBLIC_HAM = [
  `${SA_EXAMPLES}/sample-nonspam.txt`,
  `${CONFORMANCE}/python-email-testdata/data`,
  `${CONFORMANCE}/postal-mime-fixtures`,
  `${CONFORMANCE}/mailparser-nodemailer-fixtures`,
  `${CONFORMANCE}/mail-parser-stalwart/eml`,
  `${CONFORMANCE}/sisimai-set-of-emails/maildir/bsd`,
  `${CONFORMANCE}/sisimai-set-of-emails/maildir/not`,
  `${CONFORMANCE}/stalwart-mail-auth/dkim`,
  `${CONFORMANCE}/stalwart-mail-auth/arc`,
]
const SETS: Record<string, { spam: string[]; ham: string[] }> = {
  public: { spam: PUBLIC_SPAM, ham: PUBLIC_HAM },
  tune: { spam: [`${OURS}/tune/spam`], ham: [`${OURS}/tune/ham`] },
  holdout: { spam: [`${OURS}/holdout/spam`], ham: [`${OURS}/holdout/ham`] },
  ours: {
    spam: [`${OURS}/tune/spam`, `${OURS}/holdout/spam`],
    ham: [`${OURS}/tune/ham`, `${OURS}/holdout/ham`],
  },
}
const MESSAGE_EXT = /\.(eml|txt|msg|mbox)$/i
const MAX_FILES = 20_000
const MAX_BYTES = 30 * 1024 * 1024
const SA_TIMEOUT_MS = 900_000

interface Sample {
  label: 'spam' | 'ham'
  name: string
  raw: Buffer
}

interface Counts {
  tp: number
  fp: number
  fn: number
  tn: number
}

function filesUnder(p: string, out: string[]): void {
  if (!existsSync(p) || out.length >= MAX_FILES) return
  const st = statSync(p)
  if (st.isFile()) {
    if (st.size <= MAX_BYTES) out.push(p)
    return
  }
  for (const entry of readdirSync(p).sort()) {
    const child = path.join(p, entry)
    if (statSync(child).isDirectory()) filesUnder(child, out)
    else if (MESSAGE_EXT.test(entry) && !/^(SOURCE|README|LICENSE)/i.test(entry))
      filesUnder(child, out)
  }
}

/** An mbox ("From " separated) yields its messages; any other file is one message. */
function messagesOf(file: string): { name: string; raw: Buffer }[] {
  const text = readFileSync(file)
  if (!text.subarray(0, 5).equals(Buffer.from('From ')) || !/\.mbox$|mbox/i.test(file)) {
    return [{ name: file, raw: crlf(text) }]
  }
  const parts = text.toString('latin1').split(/\n(?=From )/)
  return parts.map((p, i) => ({
    name: `${file}#${i + 1}`,
    raw: crlf(Buffer.from(p.slice(p.indexOf('\n') + 1).replace(/^>From /gm, 'From '), 'latin1')),
  }))
}

function crlf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1')
}

function collect(paths: readonly string[], label: Sample['label'], skip: Set<string>): Sample[] {
  const files: string[] = []
  for (const p of paths) filesUnder(p, files)
  const out: Sample[] = []
  for (const f of files) {
    if (skip.has(path.resolve(f))) continue
    if (/\.json$/.test(f)) continue
    for (const m of messagesOf(f)) out.push({ label, ...m })
  }
  return out
}

/** The labelled samples of a set; a file listed as spam is never also counted as ham. */
export function loadSet(spamPaths: readonly string[], hamPaths: readonly string[]): Sample[] {
  const spamFiles = new Set<string>()
  for (const p of spamPaths) {
    const files: string[] = []
    filesUnder(p, files)
    for (const f of files) spamFiles.add(path.resolve(f))
  }
  return [...collect(spamPaths, 'spam', new Set()), ...collect(hamPaths, 'ham', spamFiles)]
}

function inputOf(raw: Buffer): SignalInput {
  return {
    raw,
    clientIp: '192.0.2.1',
    helo: 'eval.test',
    mailFrom: '',
    rcpts: [],
    accountIds: [],
    direction: 'inbound',
  }
}

function count(samples: readonly Sample[], isSpam: readonly boolean[]): Counts {
  const c: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 }
  samples.forEach((s, i) => {
    const spam = isSpam[i] === true
    if (spam && s.label === 'spam') c.tp++
    else if (spam) c.fp++
    else if (s.label === 'spam') c.fn++
    else c.tn++
  })
  return c
}

function pct(n: number, d: number): string {
  return d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`
}

function summary(name: string, c: Counts): string {
  return (
    `  ${name.padEnd(28)} precision ${pct(c.tp, c.tp + c.fp).padStart(6)}  recall ` +
    `${pct(c.tp, c.tp + c.fn).padStart(6)} (${c.tp}/${c.tp + c.fn})  false-positive rate ` +
    `${pct(c.fp, c.fp + c.tn).padStart(5)} (${c.fp}/${c.fp + c.tn})`
  )
}

/** Content rules only (the Bayes statistics of a new server are empty). */
async function rulesOnly(samples: readonly Sample[], junk: number, list: boolean) {
  const analyzer = new SpamAnalyzer({ thresholds: { junk, reject: 12, preflight: 8 } })
  const scores: number[] = []
  for (const s of samples) {
    const v = await analyzer.analyze(inputOf(s.raw))
    scores.push(v.score)
    for (const h of v.hits.filter((x) => x.rule === 'RULE_ERROR')) {
      process.stdout.write(`RULE_ERROR ${path.relative('.', s.name)}: ${h.reason}\n`)
    }
    const spam = v.score >= junk
    if (list || spam !== (s.label === 'spam')) {
      const rules = v.hits.filter((h) => h.score !== 0).map((h) => `${h.rule}=${h.score}`)
      const mark = spam !== (s.label === 'spam') ? (spam ? ' FP' : ' FN') : ''
      process.stdout.write(
        `${s.label.padEnd(4)} ${v.score.toFixed(1).padStart(6)}${mark} ${path.relative('.', s.name)} ${rules.join(' ')}\n`,
      )
    }
  }
  return scores
}

/**
 * K-fold: fold i holds every K-th message of each label; a fresh Bayes trained (global scope)
 * on the other folds classifies it, and its hit is added to the rules' score.
 */
async function withBayes(
  samples: readonly Sample[],
  ruleScores: number[],
  k: number,
  junk: number,
) {
  const defaults = bayesSchema.parse({})
  const fold = foldsOf(samples, k)
  const out: number[] = [...ruleScores]
  let opinions = 0
  for (let f = 0; f < k; f++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'postern-eval-bayes-'))
    const store = openStore({ path: path.join(dir, 'bayes.db') })
    try {
      const bayes = new BayesClassifier({
        repo: store.spamLearning.bayes,
        minSpam: defaults.min_spam,
        minHam: defaults.min_ham,
        weight: defaults.weight,
        clock: Date.now,
      })
      const training = samples.filter((_, i) => fold[i] !== f)
      for (let i = 0; i < training.length; i += 50) {
        await Promise.all(
          training
            .slice(i, i + 50)
            .map((s) => bayes.train({ raw: s.raw, class: s.label, scope: GLOBAL_SCOPE })),
        )
      }
      for (let i = 0; i < samples.length; i++) {
        if (fold[i] !== f) continue
        const hits = await bayes.evaluate(inputOf(samples[i]?.raw ?? Buffer.alloc(0)))
        if (hits.length > 0) opinions++
        out[i] = (out[i] ?? 0) + hits.reduce((sum, h) => sum + h.score, 0)
      }
    } finally {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return { isSpam: out.map((s) => s >= junk), opinions }
}

function foldsOf(samples: readonly Sample[], k: number): number[] {
  const seen = { spam: 0, ham: 0 }
  return samples.map((s) => seen[s.label]++ % k)
}

/** SpamAssassin's verdicts (local tests, no Bayes), or undefined when it is not installed. */
function spamAssassin(samples: readonly Sample[]): boolean[] | undefined {
  const probe = spawnSync('spamassassin', ['-V'], { encoding: 'utf8' })
  if (probe.error !== undefined || probe.status !== 0) return undefined
  // SpamAssassin reorders an mbox (by date): each message carries its index in X-Eval-Id.
  const mbox = samples
    .map((s, i) => {
      const text = s.raw
        .toString('latin1')
        .replace(/\r\n/g, '\n')
        .replace(/^From /gm, '>From ')
      return `From eval@localhost Thu Jan  1 00:00:00 2025\nX-Eval-Id: ${i}\n${text}\n`
    })
    .join('')
  const run = spawnSync(
    'spamassassin',
    ['-L', '--mbox', '--cf=use_bayes 0', '--cf=bayes_auto_learn 0', '--cf=use_auto_whitelist 0'],
    { input: Buffer.from(mbox, 'latin1'), maxBuffer: 512 * 1024 * 1024, timeout: SA_TIMEOUT_MS },
  )
  const verdicts: (boolean | undefined)[] = samples.map(() => undefined)
  for (const message of run.stdout.toString('latin1').split(/^From eval@localhost .*\n/m)) {
    const id = /^X-Eval-Id: (\d+)$/m.exec(message)?.[1]
    const status = /^X-Spam-Status: (Yes|No),/m.exec(message)?.[1]
    if (id !== undefined && status !== undefined) verdicts[Number(id)] = status === 'Yes'
  }
  const missing = verdicts.filter((v) => v === undefined).length
  if (missing > 0) {
    process.stdout.write(`  spamassassin: no verdict for ${missing} messages; skipped\n`)
    return undefined
  }
  return verdicts.map((v) => v === true)
}

interface EvalOptions {
  junk: number
  list: boolean
  trainSplit: number
  compareSpamAssassin: boolean
}

async function evaluate(name: string, samples: Sample[], opts: EvalOptions): Promise<void> {
  const scores = await rulesOnly(samples, opts.junk, opts.list)
  const spamN = samples.filter((s) => s.label === 'spam').length
  const hamScores = scores.filter((_, i) => samples[i]?.label === 'ham')
  const spamScores = scores.filter((_, i) => samples[i]?.label === 'spam')
  const lines = [
    `${name}: ${samples.length} messages (spam ${spamN}, ham ${samples.length - spamN}); spam when score >= ${opts.junk}`,
    summary(
      'rules only',
      count(
        samples,
        scores.map((s) => s >= opts.junk),
      ),
    ),
  ]
  if (opts.trainSplit >= 2) {
    const b = await withBayes(samples, scores, opts.trainSplit, opts.junk)
    const label = `rules + Bayes (${opts.trainSplit}-fold)`
    lines.push(`${summary(label, count(samples, b.isSpam))}  [Bayes opinion on ${b.opinions}]`)
  }
  if (opts.compareSpamAssassin) {
    const sa = spamAssassin(samples)
    lines.push(
      sa === undefined
        ? '  SpamAssassin: not installed or failed; skipped'
        : summary('SpamAssassin (-L, no Bayes)', count(samples, sa)),
    )
  }
  lines.push(
    `  ham scores: max ${Math.max(0, ...hamScores).toFixed(1)}, ${hamScores.filter((x) => x >= 3).length} at or above 3.0; ` +
      `spam scores: min ${spamScores.length === 0 ? 'n/a' : Math.min(...spamScores).toFixed(1)}`,
    '',
  )
  process.stdout.write(`${lines.join('\n')}\n`)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      set: { type: 'string', multiple: true },
      spam: { type: 'string', multiple: true },
      ham: { type: 'string', multiple: true },
      list: { type: 'boolean', default: false },
      junk: { type: 'string', default: '5' },
      'train-split': { type: 'string', default: '0' },
      'compare-spamassassin': { type: 'boolean', default: false },
    },
  })
  const opts: EvalOptions = {
    junk: Number(values.junk),
    list: values.list,
    trainSplit: Number(values['train-split']),
    compareSpamAssassin: values['compare-spamassassin'],
  }
  if (values.spam !== undefined || values.ham !== undefined) {
    await evaluate('given set', loadSet(values.spam ?? [], values.ham ?? []), opts)
    return
  }
  for (const name of values.set ?? ['public', 'tune', 'holdout']) {
    const set = SETS[name]
    if (set === undefined) throw new Error(`unknown set ${name} (${Object.keys(SETS).join(', ')})`)
    await evaluate(name, loadSet(set.spam, set.ham), opts)
  }
}

if (import.meta.main) await main()
