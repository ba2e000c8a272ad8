import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { openSqliteStore } from './open-sqlite-store.ts'

test('spam explanations: saved durably, found by queue id or Message-ID, pruned by age', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'postern-spam-repo-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const file = path.join(dir, 'store.db')
  let store = openSqliteStore({ path: file })
  const entry = {
    queueId: 'q1',
    messageId: '<m1@example.org>',
    direction: 'inbound' as const,
    score: 6.5,
    action: 'junk',
    createdAt: 1000,
    explanation: { score: 6.5, hits: [{ rule: 'X' }] },
  }
  await store.spamExplanations.save(entry)
  await store.spamExplanations.save({ ...entry, queueId: 'q2', createdAt: 5000, score: 1 })
  await store.close()
  store = openSqliteStore({ path: file })
  assert.deepEqual(await store.spamExplanations.find('q1'), [entry])
  const byId = await store.spamExplanations.find('m1@example.org')
  assert.deepEqual(
    byId.map((e) => e.queueId),
    ['q2', 'q1'],
  )
  assert.equal((await store.spamExplanations.find('<m1@example.org>')).length, 2)
  assert.deepEqual(await store.spamExplanations.find('nothing'), [])
  assert.equal(await store.spamExplanations.prune(2000), 1)
  assert.deepEqual(
    (await store.spamExplanations.find('m1@example.org')).map((e) => e.queueId),
    ['q2'],
  )
  await store.close()
})
