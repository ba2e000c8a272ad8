// `npm run eval:spam`: precision, recall and false-positive rate of the spam verdict on a
// labelled set built from public material on this machine, read in place (nothing copied):
//   spam: SpamAssassin's sample-spam.txt (Debian package `spamassassin`) and the two real
//         spam messages among the mailparser fixtures (spam.eml, outofmemory.eml);
//   ham:  SpamAssassin's sample-nonspam.txt and the MIME corpora under /work/shared/conformance
//         (python-email-testdata, postal-mime, mailparser, mail-parser-stalwart, sisimai
//         bounces, stalwart-mail-auth messages), minus the files labelled spam.
// Other sets: --spam PATH and --ham PATH (files, directories, or mbox files; repeatable)
// replace the defaults. A message counts as spam when the verdict is junk or reject (score at
// or above spam.junk_threshold). --list prints every message's score and rules.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { SpamAnalyzer } from '../src/spam/analyze.ts'
import type { SpamVerdict } from '../src/spam/verdict.ts'

const CONFORMANCE = process.env.POSTERN_CONFORMANCE ?? '/work/shared/conformance'
const SA_EXAMPLES = '/usr/share/doc/spamassassin/examples'

const DEFAULT_SPAM = [
  `${SA_EXAMPLES}/sample-spam.txt`,
  `${CONFORMANCE}/mailparser-nodemailer-fixtures/spam.eml`,
  // A real image spam kept as a parser DoS regression (IP-literal links, "$1 million").
  `${CONFORMANCE}/mailparser-nodemailer-fixtures/outofmemory.eml`,
]
const DEFAULT_HAM = [
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
const MESSAGE_EXT = /\.(eml|txt|msg|mbox)$/i
const MAX_FILES = 20_000
const MAX_BYTES = 30 * 1024 * 1024

interface Sample {
  label: 'spam' | 'ham'
  name: string
  raw: Buffer
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

function pct(n: number, d: number): string {
  return d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      spam: { type: 'string', multiple: true },
      ham: { type: 'string', multiple: true },
      list: { type: 'boolean', default: false },
      junk: { type: 'string', default: '5' },
    },
  })
  const spamPaths = values.spam ?? DEFAULT_SPAM
  const hamPaths = values.ham ?? DEFAULT_HAM
  const spamFiles = new Set<string>()
  for (const p of spamPaths) {
    const files: string[] = []
    filesUnder(p, files)
    for (const f of files) spamFiles.add(path.resolve(f))
  }
  const samples = [...collect(spamPaths, 'spam', new Set()), ...collect(hamPaths, 'ham', spamFiles)]
  const junk = Number(values.junk)
  const analyzer = new SpamAnalyzer({ thresholds: { junk, reject: 12, preflight: 8 } })
  let tp = 0
  let fp = 0
  let fn = 0
  let tn = 0
  const misses: { s: Sample; v: SpamVerdict }[] = []
  const hamScores: number[] = []
  const spamScores: number[] = []
  for (const s of samples) {
    const v = await analyzer.analyze({
      raw: s.raw,
      clientIp: '192.0.2.1',
      helo: 'eval.test',
      mailFrom: '',
      rcpts: [],
      accountIds: [],
      direction: 'inbound',
    })
    const spam = v.score >= junk
    ;(s.label === 'spam' ? spamScores : hamScores).push(v.score)
    if (spam && s.label === 'spam') tp++
    else if (spam) fp++
    else if (s.label === 'spam') fn++
    else tn++
    if (values.list || spam !== (s.label === 'spam')) misses.push({ s, v })
  }
  for (const { s, v } of misses) {
    const rules = v.hits.filter((h) => h.score !== 0).map((h) => `${h.rule}=${h.score}`)
    process.stdout.write(
      `${s.label.padEnd(4)} ${v.score.toFixed(1).padStart(6)} ${s.name} ${rules.join(' ')}\n`,
    )
  }
  process.stdout.write(
    [
      `messages: ${samples.length} (spam ${tp + fn}, ham ${fp + tn}); spam when score >= ${junk}`,
      `true positives ${tp}, false positives ${fp}, false negatives ${fn}, true negatives ${tn}`,
      `precision ${pct(tp, tp + fp)}  recall ${pct(tp, tp + fn)}  false-positive rate ${pct(fp, fp + tn)}`,
      `ham scores: max ${Math.max(0, ...hamScores).toFixed(1)}, ${hamScores.filter((x) => x >= 3).length} at or above 3.0; spam scores: min ${spamScores.length === 0 ? 'n/a' : Math.min(...spamScores).toFixed(1)}`,
      '',
    ].join('\n'),
  )
}

await main()
