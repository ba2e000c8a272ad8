// Tests for scrypt password hashing in PHC format.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hashPassword, verifyPassword } from './password.ts'

void test('hash has the PHC scrypt format and verifies', async () => {
  const phc = await hashPassword('correct horse')
  assert.match(phc, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
  assert.equal(await verifyPassword('correct horse', phc), true)
})

void test('wrong password is rejected', async () => {
  const phc = await hashPassword('secret')
  assert.equal(await verifyPassword('Secret', phc), false)
  assert.equal(await verifyPassword('', phc), false)
})

void test('two hashes of one password differ (random salt)', async () => {
  const [a, b] = await Promise.all([hashPassword('x'), hashPassword('x')])
  assert.notEqual(a, b)
})

void test('unicode passwords are NFC-normalised', async () => {
  const phc = await hashPassword('caf\u00e9')
  assert.equal(await verifyPassword('cafe\u0301', phc), true)
})

void test('malformed PHC strings are rejected, not thrown', async () => {
  const good = await hashPassword('pw')
  const [, , , salt = '', hash = ''] = good.split('$')
  const bad = [
    '',
    'plain',
    '$argon2id$v=19$m=65536,t=3,p=4$abc$def',
    `$scrypt$ln=15,r=8$${salt}$${hash}`,
    `$scrypt$ln=40,r=8,p=1$${salt}$${hash}`,
    `$scrypt$ln=15,r=8,p=1$${salt}`,
    `$scrypt$ln=15,r=8,p=1$${salt}$!!notbase64`,
    `$scrypt$ln=15,r=8,p=1$$${hash}`,
    `${good}$extra`,
  ]
  for (const phc of bad) {
    assert.equal(await verifyPassword('pw', phc), false, phc)
  }
})

void test('a hash with other parameters still verifies (parameters come from the string)', async () => {
  const { scryptSync } = await import('node:crypto')
  const salt = Buffer.from('0123456789abcdef')
  const key = scryptSync('pw', salt, 32, { N: 2 ** 10, r: 4, p: 1 })
  const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '')
  const phc = `$scrypt$ln=10,r=4,p=1$${b64(salt)}$${b64(key)}`
  assert.equal(await verifyPassword('pw', phc), true)
  assert.equal(await verifyPassword('pw2', phc), false)
})
