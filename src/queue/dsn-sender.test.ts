import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Router } from '../delivery/router.ts'
import { Srs } from '../srs/srs.ts'
import type { AcceptInput, AcceptResult, Domain } from '../store/types.ts'
import type { QueuedMessage } from '../store/types-outbound.ts'
import { DsnSender, type DsnSendResult } from './dsn-sender.ts'
import type { DsnRecipientReport } from '../dsn/compose-dsn.ts'
import {
  verifyWithMailauth,
  writeDkimKeysInTempDir,
  type DkimRecords,
} from '../../test/harness/dkim-check.ts'
import { dkimKeyFiles } from '../app/init.ts'
import { DkimKeyStore } from '../dkim-sign/dkim-keys.ts'
import { DkimSigner } from '../dkim-sign/dkim-signer.ts'
import { GeneratedMailSigner } from '../dkim-sign/generated-mail-signer.ts'
import { parseBounce } from '../bounce/parse.ts'

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

/** A generated-mail signer over fresh keys for `domains` (all local). */
function signerFor(domains: string[]): {
  signer: GeneratedMailSigner
  records: DkimRecords
  remove: () => void
} {
  const keys = writeDkimKeysInTempDir(domains)
  const signer = new GeneratedMailSigner({
    signer: new DkimSigner({
      keys: new DkimKeyStore({
        keyFiles: (domain) => dkimKeyFiles({ dataDir: keys.dataDir, domain, selector: 'postern' }),
        clock: () => NOW,
      }),
    }),
    isLocalDomain: (d) => Promise.resolve(domains.includes(d)),
    clock: () => NOW,
  })
  return { signer, records: keys.records, remove: keys.remove }
}

const FAILED = {
  finalRecipient: 'dave@far.test',
  action: 'failed' as const,
  status: '5.1.1',
  diagnostic: '550 5.1.1 no such user',
}

/** Sends one DSN about `original` for carol@origin.test with a signer whose local domain is fwd.test. */
async function sendSigned(input: {
  hostname: string
  smtputf8: boolean
  original: string
  reports: DsnRecipientReport[]
}): Promise<{ result: DsnSendResult; dsn: AcceptInput | undefined; records: DkimRecords }> {
  const { store, accepted } = recordingStore()
  const keys = signerFor(['fwd.test'])
  try {
    const sender = new DsnSender({
      store,
      router: new Router({ store, plusSeparator: '+' }),
      hostname: input.hostname,
      maxFullBytes: 1024 * 1024,
      clock: () => NOW,
      signer: keys.signer,
    })
    const message = { mailFrom: 'carol@origin.test', createdAt: NOW, smtputf8: input.smtputf8 }
    const result = await sender.send({
      message: message as QueuedMessage,
      original: Buffer.from(input.original),
      reports: input.reports,
    })
    return { result, dsn: accepted[0], records: keys.records }
  } finally {
    keys.remove()
  }
}

test('a DSN queued for a remote sender is DKIM-signed (hostname under a local domain)', async () => {
  const { result, dsn, records } = await sendSigned({
    hostname: 'mx.fwd.test',
    smtputf8: false,
    original: 'Subject: hi\r\nMessage-ID: <m1@origin.test>\r\n\r\nbody\r\n',
    reports: [FAILED],
  })
  assert.equal(result, 'queued')
  assert.ok(dsn)
  assert.equal(dsn.smtputf8, undefined, 'ASCII mail: no SMTPUTF8 needed')
  assert.match(dsn.raw.toString(), /^DKIM-Signature:[^]*d=fwd\.test;/)
  assert.deepEqual(await verifyWithMailauth(dsn.raw, records), [
    ['rsa-sha256', 'pass'],
    ['ed25519-sha256', 'pass'],
  ])
  // The signed DSN is still the RFC 3464 form, and the bounce parser reads it.
  assert.match(dsn.raw.toString(), /report-type=delivery-status;/)
  assert.equal(parseBounce(dsn.raw)?.originalMessageId, '<m1@origin.test>')
})

test('a DSN from a host name outside every local domain stays unsigned', async () => {
  const { dsn } = await sendSigned({
    hostname: 'mail.unknown.test',
    smtputf8: false,
    original: 'Subject: hi\r\n\r\nbody\r\n',
    reports: [FAILED],
  })
  assert.ok(dsn)
  assert.doesNotMatch(dsn.raw.toString(), /DKIM-Signature/i)
  assert.match(
    dsn.raw.toString(),
    /^From: Mail Delivery System <MAILER-DAEMON@mail\.unknown\.test>/,
  )
})

test('a DSN about SMTPUTF8 mail takes the RFC 6533 form and is queued needing SMTPUTF8', async () => {
  const { dsn, records } = await sendSigned({
    hostname: 'mx.fwd.test',
    smtputf8: true,
    original: 'Subject: Grüße\r\nMessage-ID: <u1@origin.test>\r\n\r\nbody\r\n',
    reports: [{ ...FAILED, finalRecipient: 'dörte@fär.test' }],
  })
  assert.ok(dsn)
  assert.equal(dsn.smtputf8, true)
  const text = dsn.raw.toString('utf8')
  assert.match(text, /report-type=global-delivery-status;/)
  assert.match(text, /\r\nFinal-Recipient: utf-8; dörte@fär\.test\r\n/)
  assert.deepEqual(
    (await verifyWithMailauth(dsn.raw, records)).map(([, r]) => r),
    ['pass', 'pass'],
  )
})
