// Labelled synthetic mail for the Bayesian classifier's tests and benchmark: real spam corpora
// are scarce on this machine (Debian's spamassassin ships one sample of each class), so
// messages are generated from a seeded random source. Each message mixes common English
// words (80% of its text), words typical of its class (12%) and of the other class (8%), and
// a third of the senders and link hosts are shared by both classes (so the classes overlap,
// as real mail does; short messages carry few clues), in plain text, HTML (links hidden behind
// anchor text), base64 or quoted-printable bodies and encoded-word subjects: the classifier
// must go through the decoding to see the words. Deterministic for a seed.

const COMMON = (
  'the and you for this that with have your will are from our can more about time just know ' +
  'what when there some would them into only other new people also could after first well ' +
  'because any these give most over think year work back good even want way look day us ' +
  'please note here week next today email message information following below question'
).split(' ')

const SPAM = (
  'viagra casino winner bitcoin lottery prize discount pharmacy loan crypto investment ' +
  'guaranteed offer exclusive bonus free cheap click limited urgent million inheritance ' +
  'beneficiary refinance replica watches pills weight dating wealth profit claim unclaimed ' +
  'congratulations selected cash reward deal clearance miracle enlargement mortgage ' +
  'credit approved risk-free act-now subscribers earn income opportunity'
).split(' ')

const HAM = (
  'meeting agenda project review lunch tomorrow report quarterly budget draft attached ' +
  'minutes thanks schedule kids dinner weekend deploy release branch merge commit invoice ' +
  'conference slides holiday family birthday recipe garden feedback proposal team sprint ' +
  'ticket roadmap customer contract onboarding hiking school dentist flight hotel'
).split(' ')

const SPAM_SENDERS = ['promo@deals-now.test', 'winner@lucky-prize.test', 'info@pharma-rx.test']
const HAM_SENDERS = ['alice@example.org', 'bob@example.net', 'carol@work.example']
const SPAM_HOSTS = ['deals-now.test', 'click.lucky-prize.test', 'rx-store.test']
/** Senders and link hosts both classes use (spam forges them, newsletters share them). */
const SHARED_SENDERS = ['news@mailer.example', 'noreply@service.example', 'dave@gmail.example']
const SHARED_HOSTS = ['bit.example', 'www.service.example', 'cdn.mailer.example']
const HAM_HOSTS = ['git.example.org', 'docs.example.net', 'calendar.work.example']

/** mulberry32: a small seeded generator, good enough to vary test messages. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T
}

export interface LabelledMessage {
  spam: boolean
  raw: Buffer
}

/** `count` messages, alternating spam and ham, reproducible from `seed`. */
export function syntheticMail(opts: { count: number; seed: number }): LabelledMessage[] {
  const rand = random(opts.seed)
  const out: LabelledMessage[] = []
  for (let i = 0; i < opts.count; i++) {
    const spam = i % 2 === 0
    out.push({ spam, raw: oneMessage(rand, spam, i) })
  }
  return out
}

function words(rand: () => number, spam: boolean, n: number): string {
  const own = spam ? SPAM : HAM
  const other = spam ? HAM : SPAM
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const r = rand()
    out.push(r < 0.8 ? pick(rand, COMMON) : r < 0.92 ? pick(rand, own) : pick(rand, other))
  }
  return out.join(' ')
}

function oneMessage(rand: () => number, spam: boolean, n: number): Buffer {
  const from = pick(rand, rand() < 0.35 ? SHARED_SENDERS : spam ? SPAM_SENDERS : HAM_SENDERS)
  const host = pick(rand, rand() < 0.35 ? SHARED_HOSTS : spam ? SPAM_HOSTS : HAM_HOSTS)
  const subjectWords = words(rand, spam, 4 + Math.floor(rand() * 4))
  const subject =
    rand() < 0.3 ? `=?UTF-8?B?${Buffer.from(subjectWords).toString('base64')}?=` : subjectWords
  const text = words(rand, spam, 15 + Math.floor(rand() * 120))
  const head = [
    `From: ${from}`,
    'To: user@postern.test',
    `Subject: ${subject}`,
    `Message-ID: <${String(n)}.${String(Math.floor(rand() * 1e9))}@${from.split('@')[1] ?? 'x'}>`,
    'Date: Sat, 28 Nov 2026 05:00:00 +0000',
    'MIME-Version: 1.0',
  ]
  const style = rand()
  if (style < 0.4) {
    const html = `<html><body><p>${text}</p><a href="https://${host}/p/${String(n)}">here</a></body></html>`
    const b64 = (
      Buffer.from(html)
        .toString('base64')
        .match(/.{1,76}/g) ?? []
    ).join('\r\n')
    head.push('Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64')
    return Buffer.from(`${head.join('\r\n')}\r\n\r\n${b64}\r\n`)
  }
  const body = `${text}\r\n\r\nMore at https://${host}/${String(n)}\r\n`
  if (style < 0.6) {
    head.push(
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
    )
    const qp = body.replace(/(.{70})/g, '$1=\r\n')
    return Buffer.from(`${head.join('\r\n')}\r\n\r\n${qp}`)
  }
  head.push('Content-Type: text/plain; charset=utf-8')
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`)
}
