import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RetryPolicy } from './retry-policy.ts'

const MIN = 60_000
const HOUR = 60 * MIN

const policy = RetryPolicy.fromConfig({
  retry_schedule_s: [300, 600, 1200, 2400, 3600],
  max_age_s: 432_000,
  delay_notice_after_s: 14_400,
})

test('retry schedule: 5m, 10m, 20m, 40m, then hourly', () => {
  const delays = [1, 2, 3, 4, 5, 6, 50].map((n) => policy.delayAfter(n) / MIN)
  assert.deepEqual(delays, [5, 10, 20, 40, 60, 60, 60])
  assert.equal(policy.delayAfter(0), 5 * MIN)
})

test('retry schedule: gives up after 5 days, last try at the expiry time', () => {
  const queuedAt = 1_000_000
  assert.equal(policy.nextAttemptAt({ attempts: 1, queuedAt, now: queuedAt }), queuedAt + 5 * MIN)
  const nearEnd = queuedAt + 5 * 24 * HOUR - 10 * MIN
  assert.equal(
    policy.nextAttemptAt({ attempts: 30, queuedAt, now: nearEnd }),
    queuedAt + 5 * 24 * HOUR,
  )
  assert.equal(
    policy.nextAttemptAt({ attempts: 31, queuedAt, now: queuedAt + 5 * 24 * HOUR }),
    undefined,
  )
})

test('retry schedule: the whole life of a recipient that never gets through', () => {
  const queuedAt = 0
  let now = queuedAt
  let attempts = 0
  const times: number[] = []
  for (let i = 0; i < 1000; i++) {
    attempts++
    const next = policy.nextAttemptAt({ attempts, queuedAt, now })
    if (next === undefined) break
    times.push(next)
    now = next
  }
  assert.deepEqual(
    times.slice(0, 6).map((t) => t / MIN),
    [5, 15, 35, 75, 135, 195],
  )
  assert.equal(times.at(-1), 5 * 24 * HOUR)
  assert.ok(attempts > 100 && attempts < 130, `attempts ${attempts}`)
})

test('delay notice after 4 hours, never when 0', () => {
  assert.equal(policy.isDelayNoticeDue({ queuedAt: 0, now: 4 * HOUR - 1 }), false)
  assert.equal(policy.isDelayNoticeDue({ queuedAt: 0, now: 4 * HOUR }), true)
  const never = new RetryPolicy({ scheduleMs: [1000], maxAgeMs: HOUR, delayNoticeAfterMs: 0 })
  assert.equal(never.isDelayNoticeDue({ queuedAt: 0, now: HOUR }), false)
  assert.throws(() => new RetryPolicy({ scheduleMs: [], maxAgeMs: 1, delayNoticeAfterMs: 0 }))
})
