import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SlidingWindow } from './sliding-window.ts'
import { parseDomainLimits, Throttle, throttleKey, type ThrottleSettings } from './throttle.ts'

const settings = (over: Partial<ThrottleSettings> = {}): ThrottleSettings => ({
  enabled: true,
  domainDefaults: { maxConcurrent: 2, maxPerMinute: 3 },
  domainOverrides: parseDomainLimits(['slow.example:1:1']),
  accountMaxPerHour: 0,
  slowdownPauseMs: 300_000,
  maxSlowdownPauseMs: 3_600_000,
  ...over,
})

test('sliding window: at most `limit` events in any window, with the time to come back', () => {
  const w = new SlidingWindow({ limit: 3, windowMs: 60_000 })
  assert.deepEqual(w.tryTake(0), { ok: true })
  assert.deepEqual(w.tryTake(10_000), { ok: true })
  assert.deepEqual(w.tryTake(20_000), { ok: true })
  assert.deepEqual(w.tryTake(30_000), { ok: false, retryAt: 60_000 })
  assert.deepEqual(w.tryTake(59_999), { ok: false, retryAt: 60_000 })
  assert.deepEqual(w.tryTake(60_000), { ok: true })
  assert.equal(w.nextFreeAt(60_000), 70_000)
  assert.equal(w.isIdle(200_000), true)
})

test('sliding window: 1,000 greedy takes on a virtual clock never exceed the limit', () => {
  const w = new SlidingWindow({ limit: 60, windowMs: 60_000 })
  const taken: number[] = []
  let now = 0
  for (let i = 0; i < 100_000 && taken.length < 1000; i++) {
    const r = w.tryTake(now)
    if (r.ok) taken.push(now)
    else now = r.retryAt
  }
  assert.equal(taken.length, 1000)
  for (let i = 60; i < taken.length; i++) {
    assert.ok((taken[i] ?? 0) - (taken[i - 60] ?? 0) >= 60_000, `window at ${i}`)
  }
})

test('throttle: per-domain concurrency, released permits free a slot', () => {
  const t = new Throttle(settings({ domainDefaults: { maxConcurrent: 2, maxPerMinute: 100 } }))
  const a = t.acquire({ domain: 'x.example', now: 0 })
  const b = t.acquire({ domain: 'X.example', now: 0 })
  assert.equal(a.kind, 'go')
  assert.equal(b.kind, 'go')
  const c = t.acquire({ domain: 'x.example', now: 0 })
  assert.equal(c.kind, 'wait')
  assert.deepEqual(t.blocked(0).domains, ['x.example'])
  t.release(a.permit)
  assert.equal(t.acquire({ domain: 'x.example', now: 1 }).kind, 'go')
  assert.equal(t.acquire({ domain: 'other.example', now: 1 }).kind, 'go')
})

test('throttle: per-domain rate with overrides, and the time it frees up', () => {
  const t = new Throttle(settings())
  const go = t.acquire({ domain: 'slow.example', now: 0 })
  assert.equal(go.kind, 'go')
  t.release(go.permit)
  const wait = t.acquire({ domain: 'slow.example', now: 1000 })
  assert.deepEqual(wait, { kind: 'wait', retryAt: 60_000, reason: 'domain rate limit' })
  const b = t.blocked(1000)
  assert.deepEqual(b.domains, ['slow.example'])
  assert.equal(b.nextChangeAt, 60_000)
  assert.equal(t.limitsFor('SLOW.example').maxPerMinute, 1)
  assert.equal(t.limitsFor('fast.example').maxPerMinute, 3)
})

test('throttle: per-account hourly limit, 0 = off, switch off = no limits', () => {
  const t = new Throttle(
    settings({ accountMaxPerHour: 2, domainDefaults: { maxConcurrent: 99, maxPerMinute: 99 } }),
  )
  for (const now of [0, 1]) {
    const d = t.acquire({ domain: `d${now}.example`, accountId: 7, now })
    assert.equal(d.kind, 'go')
  }
  const w = t.acquire({ domain: 'd9.example', accountId: 7, now: 2 })
  assert.deepEqual(w, { kind: 'wait', retryAt: 3_600_000, reason: 'account hourly limit' })
  assert.deepEqual(t.blocked(2).accounts, [7])
  assert.equal(t.acquire({ domain: 'd9.example', accountId: 8, now: 2 }).kind, 'go')
  const off = new Throttle(settings({ enabled: false, accountMaxPerHour: 1 }))
  for (let i = 0; i < 50; i++) {
    assert.equal(off.acquire({ domain: 'x.example', accountId: 1, now: 0 }).kind, 'go')
  }
})

test('throttle: the hourly limit counts messages, not deliveries: one message, many domains', () => {
  const t = new Throttle(
    settings({ accountMaxPerHour: 2, domainDefaults: { maxConcurrent: 99, maxPerMinute: 99 } }),
  )
  // Message 1 goes to three domains (and is retried at one): it counts once.
  for (const domain of ['a.example', 'b.example', 'c.example', 'a.example']) {
    assert.equal(t.acquire({ domain, accountId: 7, messageId: 1, now: 10 }).kind, 'go')
  }
  assert.equal(t.acquire({ domain: 'a.example', accountId: 7, messageId: 2, now: 11 }).kind, 'go')
  // A third message is over the limit; the first two still go everywhere.
  const third = t.acquire({ domain: 'a.example', accountId: 7, messageId: 3, now: 12 })
  assert.deepEqual(third, { kind: 'wait', retryAt: 3_600_010, reason: 'account hourly limit' })
  assert.equal(t.acquire({ domain: 'd.example', accountId: 7, messageId: 2, now: 13 }).kind, 'go')
  // An hour after the first message was admitted, a new one may go.
  assert.equal(
    t.acquire({ domain: 'a.example', accountId: 7, messageId: 3, now: 3_600_010 }).kind,
    'go',
  )
})

test('throttle: slow-down pauses the domain, doubling on repeats, reset by a success', () => {
  const t = new Throttle(settings())
  assert.equal(t.slowDown('busy.example', 0), 300_000)
  assert.deepEqual(t.acquire({ domain: 'busy.example', now: 1000 }), {
    kind: 'wait',
    retryAt: 300_000,
    reason: 'domain asked to slow down',
  })
  assert.equal(t.slowDown('busy.example', 300_000), 900_000)
  assert.equal(t.slowDown('busy.example', 900_000), 2_100_000)
  for (let i = 0; i < 10; i++) t.slowDown('busy.example', 0)
  assert.equal(t.pausedUntil('busy.example', 0), 3_600_000)
  t.recovered('busy.example')
  assert.equal(t.pausedUntil('busy.example', 0), undefined)
  assert.equal(t.slowDown('busy.example', 0), 300_000)
})

test('throttle keys come from one function; bad overrides are refused', () => {
  assert.equal(throttleKey('domain', 'Gmail.COM'), 'domain:gmail.com')
  assert.equal(throttleKey('account', 12), 'account:12')
  assert.deepEqual(
    [...parseDomainLimits(['Gmail.com:3:60'])],
    [['gmail.com', { maxConcurrent: 3, maxPerMinute: 60 }]],
  )
  assert.throws(() => parseDomainLimits(['gmail.com:0:60']))
  assert.throws(() => parseDomainLimits(['gmail.com']))
})
