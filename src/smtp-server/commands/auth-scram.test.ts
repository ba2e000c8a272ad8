import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import { hashPassword } from '../../auth/password.ts'
import { AuthFailureLimiter } from '../auth-limiter.ts'
import { startTestServer, SmtpTranscript } from '../../../test/harness/smtp-transcript.ts'

const ALICE = 'alice@example.test'
const PASSWORD = 'correct horse'

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8')
const hmac = (key: Buffer, s: string): Buffer => createHmac('sha256', key).update(s).digest()

/** A SCRAM-SHA-256 client (RFC 5802 3), written apart from the server's code. */
class ScramClient {
  readonly nonce = randomBytes(12).toString('base64')
  readonly bare: string
  #authMessage = ''
  #saltedPassword = Buffer.alloc(0)

  readonly #password: string

  constructor(user: string, password: string) {
    this.bare = `n=${user},r=${this.nonce}`
    this.#password = password
  }

  first(): string {
    return `n,,${this.bare}`
  }

  final(serverFirst: string): string {
    const attrs = new Map(serverFirst.split(',').map((a) => [a.slice(0, 1), a.slice(2)]))
    const nonce = attrs.get('r') ?? ''
    assert.ok(nonce.startsWith(this.nonce))
    const salt = Buffer.from(attrs.get('s') ?? '', 'base64')
    const iterations = Number(attrs.get('i'))
    this.#saltedPassword = pbkdf2Sync(this.#password, salt, iterations, 32, 'sha256')
    const withoutProof = `c=biws,r=${nonce}`
    this.#authMessage = `${this.bare},${serverFirst},${withoutProof}`
    const clientKey = hmac(this.#saltedPassword, 'Client Key')
    const signature = hmac(createHash('sha256').update(clientKey).digest(), this.#authMessage)
    const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)))
    return `${withoutProof},p=${proof.toString('base64')}`
  }

  expectedServerFinal(): string {
    const serverKey = hmac(this.#saltedPassword, 'Server Key')
    return `v=${hmac(serverKey, this.#authMessage).toString('base64')}`
  }
}

async function scramLogin(s: SmtpTranscript, client: ScramClient, initial: boolean) {
  const first = initial
    ? await s.transact(334, `AUTH SCRAM-SHA-256 ${b64(client.first())}`)
    : (await s.transact(334, 'AUTH SCRAM-SHA-256'), await s.transact(334, b64(client.first())))
  return s.transact(334, b64(client.final(unb64(first.text))))
}

test('SCRAM-SHA-256 with and without an initial response: 334 v=..., then 235', async () => {
  const srv = await startTestServer({
    settings: { role: 'submission' },
    passwords: { [ALICE]: PASSWORD },
  })
  for (const initial of [true, false]) {
    const s = await SmtpTranscript.open(srv.port)
    await s.transact(250, 'EHLO c.example')
    const client = new ScramClient(ALICE, PASSWORD)
    const final = await scramLogin(s, client, initial)
    assert.equal(unb64(final.text), client.expectedServerFinal())
    await s.transact(235, '', /2\.7\.0/)
    await s.transact(250, `MAIL FROM:<${ALICE}>`)
    s.close()
  }
  await srv.close()
})

test('SCRAM-SHA-256: a wrong password or an unknown user fails at the proof (535)', async () => {
  const srv = await startTestServer({
    settings: { role: 'submission' },
    passwords: { [ALICE]: PASSWORD },
    submission: {
      authLimiter: new AuthFailureLimiter({ maxFailures: 100, windowMs: 60_000, clock: Date.now }),
    },
  })
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  await s.transact(334, `AUTH SCRAM-SHA-256 ${b64(new ScramClient(ALICE, 'x').first())}`)
  s.send(b64('c=biws,r=forged,p=AAAA'))
  await s.expect(535, /5\.7\.8/)
  const wrong = new ScramClient(ALICE, 'wrong password')
  const first = await s.transact(334, `AUTH SCRAM-SHA-256 ${b64(wrong.first())}`)
  await s.transact(535, b64(wrong.final(unb64(first.text))), /5\.7\.8/)
  // Unknown users get a salt too, the same one each time, so the answer does not tell.
  const salts = []
  for (let i = 0; i < 2; i++) {
    const t = await SmtpTranscript.open(srv.port)
    await t.transact(250, 'EHLO c.example')
    const ghost = new ScramClient('ghost@example.test', PASSWORD)
    const reply = await t.transact(334, `AUTH SCRAM-SHA-256 ${b64(ghost.first())}`)
    salts.push(/,s=([^,]+),i=4096$/.exec(unb64(reply.text))?.[1])
    await t.transact(535, b64(ghost.final(unb64(reply.text))))
    t.close()
  }
  assert.ok(salts[0] !== undefined && salts[0] === salts[1])
  await s.transact(501, `AUTH SCRAM-SHA-256 ${b64('p=tls-unique,,n=a,r=b')}`, /malformed/)
  await s.transact(334, `AUTH SCRAM-SHA-256 ${b64(new ScramClient(ALICE, PASSWORD).first())}`)
  await s.transact(501, '*', /cancelled/)
  s.close()
  await srv.close()
})

test('an account without a SCRAM secret gets one at its first PLAIN login', async () => {
  const srv = await startTestServer({ settings: { role: 'submission' } })
  await srv.store.accounts.add({
    address: 'carol@example.test',
    passwordHash: await hashPassword(PASSWORD),
  })
  const s = await SmtpTranscript.open(srv.port)
  await s.transact(250, 'EHLO c.example')
  const before = new ScramClient('carol@example.test', PASSWORD)
  const first = await s.transact(334, `AUTH SCRAM-SHA-256 ${b64(before.first())}`)
  await s.transact(535, b64(before.final(unb64(first.text))))
  await s.transact(235, `AUTH PLAIN ${b64(`\0carol@example.test\0${PASSWORD}`)}`)
  s.close()
  const t = await SmtpTranscript.open(srv.port)
  await t.transact(250, 'EHLO c.example')
  await scramLogin(t, new ScramClient('carol@example.test', PASSWORD), true)
  await t.transact(235, '')
  t.close()
  await srv.close()
})
