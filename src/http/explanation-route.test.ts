import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SpamExplanationRepo, StoredSpamExplanation } from '../store/types-spam.ts'
import { explanationKey, isLoopback, serveExplanation } from './explanation-route.ts'

test('explanation paths and loopback clients', () => {
  assert.equal(explanationKey('/api/messages/mf3k-5c1e0b/explanation'), 'mf3k-5c1e0b')
  assert.equal(explanationKey('/api/messages/%3Ca%40b.example%3E/explanation'), '<a@b.example>')
  assert.equal(explanationKey('/api/messages/%E0%A4%A/explanation'), undefined)
  assert.equal(explanationKey('/api/messages//explanation'), undefined)
  assert.equal(explanationKey('/api/messages/a/b/explanation'), undefined)
  for (const ip of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'])
    assert.ok(isLoopback(ip), ip)
  for (const ip of ['10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', undefined]) {
    assert.equal(isLoopback(ip), false, String(ip))
  }
})

function call(
  remoteAddress: string,
  repo: SpamExplanationRepo,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve) => {
    const req = { socket: { remoteAddress } } as unknown as IncomingMessage
    const res = Object.create(null) as ServerResponse
    serveExplanation({
      req,
      res,
      key: 'q1',
      repo,
      sendJson: (_res, status, body) => {
        resolve({ status, body })
      },
    })
  })
}

test('403 off loopback; 200 with the explanations, 404 when none', async () => {
  const entry: StoredSpamExplanation = {
    queueId: 'q1',
    messageId: null,
    direction: 'inbound',
    score: 7,
    action: 'junk',
    createdAt: 1,
    explanation: { score: 7 },
  }
  const repo: SpamExplanationRepo = {
    save: () => Promise.resolve(),
    find: (key) => Promise.resolve(key === 'q1' ? [entry] : []),
    prune: () => Promise.resolve(0),
  }
  assert.equal((await call('198.51.100.7', repo)).status, 403)
  assert.deepEqual(await call('127.0.0.1', repo), {
    status: 200,
    body: { explanations: [{ score: 7 }] },
  })
  const empty = { ...repo, find: () => Promise.resolve([]) }
  assert.equal((await call('127.0.0.1', empty)).status, 404)
})
