// Tests the HTTP handler over a real server on a random port.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMetrics } from '../telemetry/metrics.ts'
import { createHttpHandler } from './server.ts'

void test('healthz, metrics, 404 and 405', async (t) => {
  const metrics = createMetrics()
  metrics.messagesAccepted.inc({ role: 'mx' })
  let ready = false
  const server = http.createServer(createHttpHandler({ metrics, isReady: () => ready }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  let res = await fetch(`${base}/healthz`)
  assert.equal(res.status, 503)
  assert.deepEqual(await res.json(), { status: 'starting' })
  ready = true
  res = await fetch(`${base}/healthz`)
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { status: 'ok' })

  res = await fetch(`${base}/metrics`)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/)
  const text = await res.text()
  assert.match(text, /^postern_messages_accepted_total\{role="mx"\} 1$/m)
  assert.match(text, /^postern_deliveries_total 0$/m)

  res = await fetch(`${base}/nope`)
  assert.equal(res.status, 404)
  assert.deepEqual(await res.json(), { error: 'not found' })

  res = await fetch(`${base}/healthz`, { method: 'POST' })
  assert.equal(res.status, 405)
  assert.deepEqual(await res.json(), { error: 'method not allowed' })
})
