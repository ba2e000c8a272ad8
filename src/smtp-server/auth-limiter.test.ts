import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AuthFailureLimiter } from './auth-limiter.ts'

test('blocks an IP after maxFailures within the window, and frees it when they age out', () => {
  let now = 0
  const limiter = new AuthFailureLimiter({ maxFailures: 3, windowMs: 1000, clock: () => now })
  assert.equal(limiter.recordFailure('192.0.2.1'), false)
  now = 400
  assert.equal(limiter.recordFailure('192.0.2.1'), false)
  assert.equal(limiter.isBlocked('192.0.2.1'), false)
  now = 800
  assert.equal(limiter.recordFailure('192.0.2.1'), true)
  assert.equal(limiter.isBlocked('192.0.2.1'), true)
  assert.equal(limiter.isBlocked('192.0.2.2'), false, 'other IPs are not affected')
  now = 1001 // the first failure has left the window: two remain
  assert.equal(limiter.isBlocked('192.0.2.1'), false)
  assert.equal(limiter.recordFailure('192.0.2.1'), true)
  now = 5000
  assert.equal(limiter.isBlocked('192.0.2.1'), false)
})

test('tracks a bounded number of IPs, forgetting the least recently failed first', () => {
  const limiter = new AuthFailureLimiter({
    maxFailures: 1,
    windowMs: 60_000,
    clock: () => 0,
    maxTrackedIps: 2,
  })
  limiter.recordFailure('198.51.100.1')
  limiter.recordFailure('198.51.100.2')
  limiter.recordFailure('198.51.100.1') // now the most recent
  limiter.recordFailure('198.51.100.3') // evicts .2
  assert.equal(limiter.isBlocked('198.51.100.1'), true)
  assert.equal(limiter.isBlocked('198.51.100.2'), false)
  assert.equal(limiter.isBlocked('198.51.100.3'), true)
})
