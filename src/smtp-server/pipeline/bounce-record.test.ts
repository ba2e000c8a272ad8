import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  SmtpTranscript,
  mailboxContents,
  startTestServer,
} from '../../../test/harness/smtp-transcript.ts'
import { composeDsn } from '../../dsn/compose-dsn.ts'

const ORIGINAL = Buffer.from(
  'From: <alice@example.test>\r\nTo: <ghost@far.example>\r\nSubject: hi\r\n' +
    'Message-ID: <orig-77@example.test>\r\n\r\nhello\r\n',
)

async function waitFor(fn: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  assert.fail('timed out')
}

test('bounce-record: an inbound DSN about our own mail is recorded and suppresses the address', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const queued = await srv.store.accept({
    raw: ORIGINAL,
    receivedAt: Date.now(),
    mailFrom: 'alice@example.test',
    local: [],
    remote: [{ address: 'ghost@far.example' }, { address: 'ok@far.example' }],
  })
  const dsn = composeDsn({
    reportingMta: 'mx.far.example',
    to: 'alice@example.test',
    arrivalDate: Date.now(),
    date: Date.now(),
    recipients: [
      {
        finalRecipient: 'ghost@far.example',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 user unknown',
        remoteMta: 'mx.far.example',
      },
    ],
    original: ORIGINAL,
    returnContent: 'headers',
  })
  const s = await SmtpTranscript.open(srv.port)
  await s.begin(['alice@example.test'], '')
  await s.transact(354, 'DATA')
  await s.transact(250, `${dsn.toString('latin1')}.`)
  s.close()
  // Delivered as any message; recorded in the background.
  assert.equal((await mailboxContents(srv.store, 'alice@example.test')).length, 1)
  await waitFor(async () =>
    ((await srv.store.queue.show(queued.queuedId ?? 0))?.history ?? []).some(
      (h) => h.kind === 'suppressed',
    ),
  )
  assert.equal(
    (await srv.store.suppressions.get('GHOST@far.example'))?.reply,
    '550 5.1.1 user unknown',
  )
  const shown = await srv.store.queue.show(queued.queuedId ?? 0)
  const ghost = shown?.history.filter((h) => h.address === 'ghost@far.example').map((h) => h.kind)
  assert.deepEqual(ghost, ['queued', 'bounce-received', 'suppressed'])
  const received = shown?.history.find((h) => h.kind === 'bounce-received')
  assert.match(received?.detail ?? '', /failed 5\.1\.1 .*user unknown/)
  assert.equal(
    shown?.history.filter((h) => h.address === 'ok@far.example').length,
    1,
    'the other recipient is untouched',
  )
})

test('bounce-record: ordinary mail and unmatched bounces change nothing', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const s = await SmtpTranscript.open(srv.port)
  await s.begin(['alice@example.test'], '')
  await s.transact(354, 'DATA')
  await s.transact(250, 'Subject: not a bounce\r\n\r\nhello\r\n.')
  s.close()
  await new Promise((r) => setTimeout(r, 100))
  assert.deepEqual(await srv.store.suppressions.list(), [])
})
