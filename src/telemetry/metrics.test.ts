// Tests that the metrics registry renders the contract counters and that registries are independent.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createMetrics } from './metrics.ts'

void test('metrics render the contract counters; two registries are independent', async () => {
  const a = createMetrics()
  const b = createMetrics()
  a.messagesAccepted.inc({ role: 'mx' })
  a.messagesAccepted.inc({ role: 'mx' })
  a.deliveries.inc(3)
  a.storeCommitSeconds.observe(0.002)
  a.smtpConnectionsActive.inc({ role: 'mx' })
  const text = await a.render()
  assert.match(text, /^postern_messages_accepted_total\{role="mx"\} 2$/m)
  assert.match(text, /^postern_deliveries_total 3$/m)
  assert.match(text, /^postern_store_commit_seconds_count 1$/m)
  assert.match(text, /^postern_smtp_connections_active\{role="mx"\} 1$/m)
  assert.match(text, /^process_cpu_user_seconds_total /m)
  assert.match(a.contentType, /^text\/plain/)
  const other = await b.render()
  assert.doesNotMatch(other, /postern_messages_accepted_total\{/)
  assert.match(other, /^postern_deliveries_total 0$/m)
})
