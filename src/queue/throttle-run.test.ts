// The throttle held over a whole queue run on virtual time: 1,000 messages to one domain with
// a limit of 60 per minute reach the (fake) transport no faster than the limit allows.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startQueueKit } from '../../test/harness/queue-kit.ts'

test('throttle: 1,000 messages at 60/min to one domain; every 60 s window holds ≤ 60', async (t) => {
  const kit = await startQueueKit({
    config: { domain_limits: ['slow.test:5:60'], account_max_per_hour: 0 },
  })
  t.after(() => kit.close())
  const start = kit.time.now
  await Promise.all(
    Array.from({ length: 1000 }, (_, i) =>
      kit.enqueue({ from: 'alice@a.test', to: [`u${i}@slow.test`] }),
    ),
  )
  assert.ok(await kit.runUntil(() => kit.transport.calls.length === 1000))
  const at = kit.transport.calls.map((c) => c.at - start)
  for (let i = 60; i < at.length; i++) {
    assert.ok((at[i] ?? 0) - (at[i - 60] ?? 0) >= 60_000, `61 deliveries within 60 s at ${i}`)
  }
  // As fast as the limit allows: 60 at once, then 60 more each minute (16 full minutes + 40).
  assert.equal(at.at(-1), 16 * 60_000)
  const perMinute = new Map<number, number>()
  for (const ms of at)
    perMinute.set(Math.floor(ms / 60_000), (perMinute.get(Math.floor(ms / 60_000)) ?? 0) + 1)
  assert.deepEqual([...perMinute.values()], [...Array<number>(16).fill(60), 40])
  const addresses = new Set(
    kit.transport.calls.flatMap((c) => c.request.recipients.map((r) => r.address)),
  )
  assert.equal(addresses.size, 1000, 'each recipient delivered exactly once')
  const counts = await kit.store.queue.counts()
  assert.equal(counts.delivered, 1000)
  // Throttled recipients were rescheduled, never failed, with a 'throttled' history row.
  // (One recipient per message: queue ids and recipient ids coincide in a fresh store.)
  const sixtyFirst = kit.transport.calls[60]?.request.recipients[0]?.id ?? 0
  const shown = await kit.store.queue.show(sixtyFirst)
  assert.deepEqual(
    shown?.history.map((h) => h.kind),
    ['queued', 'throttled', 'attempt', 'delivered'],
  )
})

test('throttle: a sending account over its hourly limit waits; other accounts go on', async (t) => {
  const kit = await startQueueKit({ config: { account_max_per_hour: 3 } })
  t.after(() => kit.close())
  const start = kit.time.now
  for (let i = 0; i < 5; i++)
    await kit.enqueue({ from: 'alice@a.test', to: [`x${i}@b.test`], submitter: 1 })
  await kit.enqueue({ from: 'bob@a.test', to: ['y@b.test'], submitter: 2 })
  assert.ok(await kit.runUntil(() => kit.transport.calls.length === 6))
  const byAccount = kit.transport.calls.map((c) => [c.request.mailFrom, (c.at - start) / 60_000])
  assert.deepEqual(
    byAccount.filter(([f]) => f === 'bob@a.test'),
    [['bob@a.test', 0]],
  )
  assert.deepEqual(
    byAccount.filter(([f]) => f === 'alice@a.test').map(([, m]) => m),
    [0, 0, 0, 60, 60],
  )
})
