import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Router } from '../delivery/router.ts'
import { Srs } from '../srs/srs.ts'
import type { AcceptInput, AcceptResult, Domain } from '../store/types.ts'
import type { QueuedMessage } from '../store/types-outbound.ts'
import { DsnSender } from './dsn-sender.ts'

const NOW = Date.UTC(2026, 10, 28, 12)

/** A store that knows one local domain and records what accept() was given. */
function recordingStore(): {
  store: ConstructorParameters<typeof Router>[0]['store'] & {
    accept(input: AcceptInput): Promise<AcceptResult>
  }
  accepted: AcceptInput[]
} {
  const accepted: AcceptInput[] = []
  const domain: Domain = { id: 1, name: 'fwd.test', createdAt: NOW }
  const none = (): Promise<undefined> => Promise.resolve(undefined)
  return {
    accepted,
    store: {
      domains: {
        get: (name: string) => Promise.resolve(name === 'fwd.test' ? domain : undefined),
        add: () => Promise.reject(new Error('unused')),
        list: () => Promise.resolve([domain]),
        remove: () => Promise.resolve(false),
      },
      accounts: {
        get: none,
        getById: none,
        add: () => Promise.reject(new Error('unused')),
        list: () => Promise.resolve([]),
        remove: () => Promise.resolve(false),
        setPassword: () => Promise.resolve(false),
        setQuota: () => Promise.resolve(false),
      },
      aliases: {
        get: none,
        add: () => Promise.reject(new Error('unused')),
        list: () => Promise.resolve([]),
        remove: () => Promise.resolve(false),
      },
      accept: (input: AcceptInput) => {
        accepted.push(input)
        return Promise.resolve({ blobId: 1, delivered: [], queuedId: 1 })
      },
    },
  }
}

test('a DSN about forwarded mail goes to the original sender behind the SRS address', async () => {
  const srs = new Srs({ secret: Buffer.alloc(32, 7), clock: () => NOW })
  const { store, accepted } = recordingStore()
  const router = new Router({ store, plusSeparator: '+', srs })
  const sender = new DsnSender({
    store,
    router,
    hostname: 'mx.fwd.test',
    maxFullBytes: 1024 * 1024,
    clock: () => NOW,
  })
  const mailFrom = srs.forward('carol@origin.test', 'fwd.test')
  assert.match(mailFrom, /^SRS0=.*@fwd\.test$/)
  const message = { mailFrom, createdAt: NOW - 60_000 } as QueuedMessage
  const result = await sender.send({
    message,
    original: Buffer.from('Subject: hi\r\n\r\nbody\r\n'),
    reports: [
      {
        finalRecipient: 'dave@far.test',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 no such user',
      },
    ],
  })
  assert.equal(result, 'queued')
  assert.equal(accepted.length, 1)
  const [dsn] = accepted
  assert.ok(dsn)
  assert.equal(dsn.mailFrom, '')
  assert.deepEqual(
    dsn.remote.map((r) => r.address),
    ['carol@origin.test'],
  )
})
