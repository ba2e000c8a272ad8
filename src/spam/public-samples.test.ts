// The verdict on public sample messages read in place: SpamAssassin's examples (Debian package
// `spamassassin`, installed by .ci/run) and the real spam among the mailparser fixtures in
// /work/shared/conformance. The full evaluation is `npm run eval:spam`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { SpamAnalyzer } from './analyze.ts'

const SA = '/usr/share/doc/spamassassin/examples'
const FIXTURES = '../shared/conformance/mailparser-nodemailer-fixtures'
const analyzer = new SpamAnalyzer({ thresholds: { junk: 5, reject: 12, preflight: 8 } })

async function verdictOf(file: string) {
  const raw = Buffer.from(readFileSync(file, 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1')
  return analyzer.analyze({
    raw,
    clientIp: '192.0.2.1',
    helo: 'x.test',
    mailFrom: '',
    rcpts: [],
    accountIds: [],
    direction: 'inbound',
  })
}

test("SpamAssassin's sample spam is refused; its sample ham stays in the inbox", async () => {
  assert.equal((await verdictOf(`${SA}/sample-spam.txt`)).action, 'reject')
  assert.equal((await verdictOf(`${SA}/sample-nonspam.txt`)).action, 'none')
})

test('real-world spam among the parser fixtures reaches Junk', async () => {
  for (const name of ['spam.eml', 'outofmemory.eml']) {
    const v = await verdictOf(`${FIXTURES}/${name}`)
    assert.notEqual(v.action, 'none', `${name}: ${v.score} ${v.hits.map((h) => h.rule).join(',')}`)
  }
})
