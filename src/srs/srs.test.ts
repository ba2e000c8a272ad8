import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Srs } from './srs.ts'
import { loadSrsSecret } from './srs-secret.ts'

const DAY = 86_400_000
const secret = Buffer.from('a secret of sixteen bytes or more')

function at(now: number): Srs {
  return new Srs({ secret, clock: () => now, maxAgeDays: 21 })
}

void test('SRS0: forward then reverse gives the original sender back', () => {
  const srs = at(Date.UTC(2026, 10, 28))
  const rewritten = srs.forward('alice@origin.example', 'fwd.example')
  assert.match(rewritten, /^SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=origin\.example=alice@fwd\.example$/)
  assert.deepEqual(srs.reverse(rewritten), { kind: 'ok', address: 'alice@origin.example' })
  // Some systems lower-case the local part: it still reverses.
  assert.deepEqual(srs.reverse(rewritten.toLowerCase()), {
    kind: 'ok',
    address: 'alice@origin.example',
  })
})

void test('the null sender stays null; plain addresses are not SRS', () => {
  const srs = at(Date.now())
  assert.equal(srs.forward('', 'fwd.example'), '')
  assert.deepEqual(srs.reverse('bob@fwd.example'), { kind: 'not-srs' })
})

void test('a wrong hash is refused, another secret is refused', () => {
  const now = Date.UTC(2026, 0, 10)
  const rewritten = at(now).forward('alice@origin.example', 'fwd.example')
  const tampered = rewritten.replace('=alice@', '=mallory@')
  assert.deepEqual(at(now).reverse(tampered), { kind: 'invalid', reason: 'hash' })
  const other = new Srs({ secret: Buffer.from('another secret, sixteen+ bytes'), clock: () => now })
  assert.deepEqual(other.reverse(rewritten), { kind: 'invalid', reason: 'hash' })
  assert.deepEqual(at(now).reverse('SRS0=broken@fwd.example'), {
    kind: 'invalid',
    reason: 'syntax',
  })
})

void test('too old is refused; within max age accepted (across the 1024-day wrap)', () => {
  const start = 1023 * DAY // the last day before TT wraps to AA
  const rewritten = at(start).forward('alice@origin.example', 'fwd.example')
  assert.equal(at(start + 21 * DAY).reverse(rewritten).kind, 'ok')
  assert.deepEqual(at(start + 22 * DAY).reverse(rewritten), { kind: 'invalid', reason: 'expired' })
})

void test('SRS1: re-forwarding keeps the first forwarder; reverse leads back to it', () => {
  const now = Date.UTC(2026, 5, 1)
  const first = new Srs({ secret: Buffer.from('first forwarder secret 123456'), clock: () => now })
  const srs0 = first.forward('alice@origin.example', 'first.example')
  const second = at(now)
  const srs1 = second.forward(srs0, 'second.example')
  assert.match(
    srs1,
    /^SRS1=[^=]{4}=first\.example==[^=]{4}=[A-Z2-7]{2}=origin\.example=alice@second\.example$/,
  )
  // A third hop keeps first.example as the first forwarder.
  const srs1Again = at(now).forward(srs1, 'third.example')
  assert.match(srs1Again, /^SRS1=[^=]{4}=first\.example==.*@third\.example$/)
  const back = second.reverse(srs1)
  assert.deepEqual(back, { kind: 'ok', address: srs0 })
  assert.deepEqual(first.reverse(srs0), { kind: 'ok', address: 'alice@origin.example' })
  assert.deepEqual(second.reverse(srs1.replace('first.example', 'evil.example')), {
    kind: 'invalid',
    reason: 'hash',
  })
})

void test('the secret file is created once (mode 0600) and reused', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'postern-srs-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const a = loadSrsSecret({ dataDir: dir, configured: '' })
  const b = loadSrsSecret({ dataDir: dir, configured: '' })
  assert.equal(a.length, 32)
  assert.deepEqual(a, b)
  assert.equal(statSync(path.join(dir, 'srs.key')).mode & 0o777, 0o600)
  assert.deepEqual(
    loadSrsSecret({ dataDir: dir, configured: 'from config' }),
    Buffer.from('from config'),
  )
})
