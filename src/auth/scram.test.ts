import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  ScramError,
  deriveScramSecret,
  formatScramSecret,
  parseClientFirst,
  parseScramSecret,
  serverFirst,
  verifyClientFinal,
} from './scram.ts'

// RFC 7677 3: the SCRAM-SHA-256 example exchange (user "user", password "pencil").
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64')
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO'
const NONCE = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0'
const SERVER_FIRST = `r=${NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`
const CLIENT_FINAL = `c=biws,r=${NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='

test('the RFC 7677 example exchange verifies and gives its server signature', () => {
  const secret = deriveScramSecret('pencil', { salt: SALT, iterations: 4096 })
  const first = parseClientFirst(CLIENT_FIRST)
  assert.deepEqual(
    { ...first },
    {
      gs2Header: 'n,,',
      authzid: '',
      username: 'user',
      clientNonce: 'rOprNGfwEbeRWgbNEkqO',
      bare: 'n=user,r=rOprNGfwEbeRWgbNEkqO',
    },
  )
  const state = { first, nonce: NONCE, serverFirst: SERVER_FIRST, secret }
  assert.equal(verifyClientFinal(state, CLIENT_FINAL), SERVER_FINAL)
  const wrong = deriveScramSecret('pencils', { salt: SALT, iterations: 4096 })
  assert.throws(
    () => verifyClientFinal({ ...state, secret: wrong }, CLIENT_FINAL),
    (err) => err instanceof ScramError && err.kind === 'failed',
  )
  assert.throws(() => verifyClientFinal(state, CLIENT_FINAL.replace('c=biws', 'c=eSws')))
  assert.throws(() => verifyClientFinal(state, CLIENT_FINAL.replace('r=rOpr', 'r=XOpr')))
})

test('server-first extends the client nonce and names salt and iterations', () => {
  const secret = deriveScramSecret('pencil', { salt: SALT })
  const state = serverFirst(parseClientFirst(CLIENT_FIRST), secret)
  assert.match(
    state.serverFirst,
    /^r=rOprNGfwEbeRWgbNEkqO[A-Za-z0-9+/]{24},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096$/,
  )
})

test('secrets round-trip through their text form; junk is undefined', () => {
  const secret = deriveScramSecret('pencil')
  assert.deepEqual(parseScramSecret(formatScramSecret(secret)), secret)
  for (const bad of ['', 'SCRAM-SHA-256$0:AA==$AA==:AA==', '$scrypt$ln=15,r=8,p=1$a$b']) {
    assert.equal(parseScramSecret(bad), undefined)
  }
})

test('client-first: GS2 flags, authzid, saslname escapes, refusals', () => {
  const first = parseClientFirst('y,a=al=2Cice,n=a=3Db,r=abc')
  assert.equal(first.gs2Header, 'y,a=al=2Cice,')
  assert.equal(first.authzid, 'al,ice')
  assert.equal(first.username, 'a=b')
  for (const [bad, kind] of [
    ['p=tls-unique,,n=u,r=x', 'unsupported'],
    ['n,,m=ext,n=u,r=x', 'unsupported'],
    ['n,,n=u', 'syntax'],
    ['x,,n=u,r=x', 'syntax'],
    ['n,,n=a=b,r=x', 'syntax'],
    ['n,,n=u,r=', 'syntax'],
  ] as const) {
    assert.throws(
      () => parseClientFirst(bad),
      (err) => err instanceof ScramError && err.kind === kind,
      bad,
    )
  }
})

test('property: any input is parsed or refused with a ScramError, nothing else', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), (text) => {
      try {
        parseClientFirst(text)
      } catch (err) {
        assert.ok(err instanceof ScramError)
      }
    }),
  )
})
