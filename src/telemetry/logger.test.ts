// Tests that the logger writes JSON lines with ISO time, the level word and the service name.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { createLogger } from './logger.ts'
import { logEvent } from './events.ts'

function captureLines(): { stream: PassThrough; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough()
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  const lines = (): Record<string, unknown>[] =>
    Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  return { stream, lines }
}

void test('logger writes one JSON object per line with ISO time, level word and service', async () => {
  const { stream, lines } = captureLines()
  const logger = createLogger({ level: 'info', destination: stream })
  logEvent(logger, 'server.listening', { listener: 'smtp', port: 2525 })
  logger.debug('hidden at info level')
  await new Promise((r) => setImmediate(r))
  const out = lines()
  assert.equal(out.length, 1)
  const line = out[0]
  assert.ok(line)
  assert.equal(line.service, 'postern')
  assert.equal(line.level, 'info')
  assert.equal(line.event, 'server.listening')
  assert.equal(line.port, 2525)
  assert.equal(typeof line.time, 'string')
  assert.ok(!Number.isNaN(Date.parse(line.time as string)))
})
