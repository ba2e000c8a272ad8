import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerAll, startQueueKit } from '../../test/harness/queue-kit.ts'
import { parseBounce } from '../bounce/parse.ts'
import { suppressionRcptCheck } from './suppression-check.ts'
import { SmtpReplyError } from '../smtp/codes.ts'

const MIN = 60_000

async function inbox(
  kit: Awaited<ReturnType<typeof startQueueKit>>,
  address: string,
): Promise<Buffer[]> {
  const account = await kit.store.accounts.get(address)
  assert.ok(account)
  const box = await kit.store.mailboxes.get(account.id, 'INBOX')
  assert.ok(box)
  const rows = await kit.store.messages.list(box.id)
  return Promise.all(
    rows.map(async (m) => (await kit.store.messages.body(m.blobId)) ?? Buffer.alloc(0)),
  )
}

test('queue: 451 then 250 is retried after 5 minutes and delivered; history shows both', async (t) => {
  const kit = await startQueueKit({
    script: (req, call) =>
      req.recipients.some((r) => !tried.has(r.address))
        ? answerAll('temporary', 451, '4.3.0', 'try later')(req, call)
        : answerAll('delivered', 250, '2.0.0', 'queued as X')(req, call),
  })
  const tried = new Set<string>()
  kit.transport.onCall = (req) => {
    for (const r of req.recipients) tried.add(r.address)
  }
  t.after(() => kit.close())
  const start = kit.time.now
  const id = await kit.enqueue({
    from: 'alice@a.test',
    to: ['bob@b.test', 'carol@b.test', 'dan@c.test'],
  })
  await kit.runUntil(() => kit.transport.calls.length >= 4)
  const calls = [...kit.transport.calls].sort(
    (a, b) => a.at - b.at || a.request.domain.localeCompare(b.request.domain),
  )
  // b.test recipients share one transaction; c.test is its own.
  assert.deepEqual(
    calls.map((c) => [c.request.domain, c.request.recipients.map((r) => r.address), c.at - start]),
    [
      ['b.test', ['bob@b.test', 'carol@b.test'], 0],
      ['c.test', ['dan@c.test'], 0],
      ['b.test', ['bob@b.test', 'carol@b.test'], 5 * MIN],
      ['c.test', ['dan@c.test'], 5 * MIN],
    ],
  )
  const shown = await kit.store.queue.show(id)
  assert.ok(shown)
  assert.deepEqual(
    shown.recipients.map((r) => [r.state, r.attempts]),
    [
      ['delivered', 2],
      ['delivered', 2],
      ['delivered', 2],
    ],
  )
  const bob = shown.history.filter((h) => h.address === 'bob@b.test').map((h) => h.kind)
  assert.deepEqual(bob, ['queued', 'attempt', 'deferred', 'attempt', 'delivered'])
  const deferred = shown.history.find((h) => h.kind === 'deferred' && h.address === 'bob@b.test')
  assert.equal(deferred?.detail, '451 4.3.0 try later')
  assert.equal(deferred.remoteHost, 'mx.b.test [127.0.0.2]')
  assert.equal((await inbox(kit, 'alice@a.test')).length, 0, 'no DSN for a success without NOTIFY')
  const metrics = await kit.metrics.render()
  assert.match(metrics, /postern_queue_deliveries_total\{outcome="delivered"\} 3/)
  assert.match(metrics, /postern_queue_recipients\{state="delivered"\} 3/)
})

test("queue: 550 5.1.1 bounces with a DSN in the local sender's INBOX and suppresses", async (t) => {
  const kit = await startQueueKit({ script: answerAll('permanent', 550, '5.1.1', 'no such user') })
  t.after(() => kit.close())
  const id = await kit.enqueue({
    from: 'alice@a.test',
    to: ['ghost@b.test'],
    envid: 'E-1',
    dsn: { orcpt: 'rfc822;Ghost@b.test' },
  })
  await kit.runUntil(() => kit.transport.calls.length === 1)
  await kit.queue.runner.idle()
  const shown = await kit.store.queue.show(id)
  assert.equal(shown?.recipients[0]?.state, 'bounced')
  assert.deepEqual(
    shown.history.map((h) => h.kind),
    ['queued', 'attempt', 'bounced', 'suppressed', 'dsn-sent'],
  )
  const [dsn] = await inbox(kit, 'alice@a.test')
  assert.ok(dsn)
  const parsed = parseBounce(dsn)
  assert.equal(parsed?.envelopeId, 'E-1')
  assert.equal(parsed.originalMessageId, '<kit-1@a.test>')
  assert.equal(parsed.recipients[0]?.recipient, 'ghost@b.test')
  assert.equal(parsed.recipients[0].status, '5.1.1')
  assert.match(dsn.toString(), /Original-Recipient: rfc822;Ghost@b\.test/)
  assert.match(dsn.toString(), /From: Mail Delivery System <MAILER-DAEMON@mx\.a\.test>/)
  const s = await kit.store.suppressions.get('Ghost@B.test')
  assert.equal(s?.reason, 'no such user')
  assert.equal(s.reply, '550 5.1.1 no such user')
  // The submission RCPT check refuses it; mx and local destinations are not affected.
  const check = suppressionRcptCheck(kit.store.suppressions)
  const session = (role: string) => ({ deps: { settings: { role } } })
  await assert.rejects(
    check({ session: session('submission'), address: 'ghost@b.test', destination: 'remote' }),
    (err: unknown) =>
      err instanceof SmtpReplyError &&
      err.code === 550 &&
      err.enhanced === '5.1.1' &&
      /suppression list/.test(err.text),
  )
  await check({ session: session('mx'), address: 'ghost@b.test', destination: 'remote' })
  await check({ session: session('submission'), address: 'other@b.test', destination: 'remote' })
  // A message queued later to the suppressed address is not tried: suppressed at once.
  const later = await kit.enqueue({
    from: 'alice@a.test',
    to: ['ghost@b.test'],
    dsn: { notify: ['NEVER'] },
  })
  await kit.runUntil(() => false, 5)
  assert.equal(kit.transport.calls.length, 1)
  assert.equal((await kit.store.queue.show(later))?.recipients[0]?.state, 'suppressed')
  assert.equal((await inbox(kit, 'alice@a.test')).length, 1, 'NOTIFY=NEVER: no second DSN')
})

test("queue: a remote sender's DSN is queued with the null sender; a bounce is never bounced", async (t) => {
  const kit = await startQueueKit({ script: answerAll('permanent', 554, '5.7.1', 'rejected') })
  t.after(() => kit.close())
  await kit.enqueue({ from: 'someone@far.test', to: ['x@b.test'], ret: 'HDRS' })
  await kit.runUntil(() => kit.transport.calls.length >= 2)
  const [first, second] = kit.transport.calls
  assert.equal(first?.request.mailFrom, 'someone@far.test')
  assert.equal(second?.request.mailFrom, '')
  assert.deepEqual(
    second.request.recipients.map((r) => [r.address, r.notify]),
    [['someone@far.test', ['NEVER']]],
  )
  const text = second.request.message.toString()
  assert.match(text, /text\/rfc822-headers/)
  assert.doesNotMatch(text, /body 1/)
  // The DSN bounced too: nothing more is sent.
  await kit.runUntil(() => false, 20)
  assert.equal(kit.transport.calls.length, 2)
  assert.equal((await kit.store.suppressions.list()).length, 0)
})

test('queue: a slow-down reply pauses the domain; other domains go on', async (t) => {
  let slow = true
  const kit = await startQueueKit({
    config: { slowdown_pause_s: 600 },
    script: (req, call) => {
      if (req.domain === 'busy.test' && slow) {
        return answerAll('temporary', 421, '4.7.0', 'slow down', { slowDown: true })(req, call)
      }
      return answerAll('delivered', 250, '2.0.0', 'ok')(req, call)
    },
  })
  t.after(() => kit.close())
  const start = kit.time.now
  await kit.enqueue({ from: 'alice@a.test', to: ['a@busy.test'] })
  await kit.runUntil(() => kit.transport.calls.length === 1)
  await kit.queue.runner.idle()
  await kit.enqueue({ from: 'alice@a.test', to: ['b@busy.test', 'c@calm.test'] })
  await kit.runUntil(() => kit.transport.calls.length === 2)
  assert.equal(kit.transport.calls[1]?.request.domain, 'calm.test')
  slow = false
  await kit.runUntil(() => kit.transport.calls.length === 4)
  const busy = kit.transport.calls
    .filter((c) => c.request.domain === 'busy.test')
    .map((c) => c.at - start)
  assert.deepEqual(
    busy.slice(1),
    [10 * MIN, 10 * MIN],
    'both busy.test messages wait for the 10 min pause',
  )
})

test('queue: expiry after max age sends a failure DSN with 5.4.7; delay notice once', async (t) => {
  const kit = await startQueueKit({
    config: { retry_schedule_s: [600], max_age_s: 3600, delay_notice_after_s: 1800 },
    script: answerAll('temporary', 451, '4.4.1', 'no answer'),
  })
  t.after(() => kit.close())
  const id = await kit.enqueue({ from: 'alice@a.test', to: ['late@b.test'] })
  await kit.runUntil(() => kit.transport.calls.length >= 7)
  await kit.runUntil(() => false, 10)
  const shown = await kit.store.queue.show(id)
  assert.equal(shown?.recipients[0]?.state, 'expired')
  assert.equal(kit.transport.calls.length, 7, 'attempts at 0, 10, ..., 60 min')
  const mails = (await inbox(kit, 'alice@a.test')).map((b) => b.toString())
  assert.equal(mails.length, 2)
  assert.match(mails[0] ?? '', /Action: delayed/)
  assert.match(mails[1] ?? '', /Action: failed\r\nStatus: 5\.4\.7/)
  assert.equal(shown.history.filter((h) => h.kind === 'delay-notified').length, 1)
})

test('queue: an attempt interrupted by a crash is retried on restart', async (t) => {
  const kit = await startQueueKit()
  t.after(() => kit.close())
  await kit.queue.stop({ graceMs: 0 })
  const id = await kit.enqueue({ from: 'alice@a.test', to: ['bob@b.test'] })
  const [r] = await kit.store.queue.listRecipients()
  assert.ok(r)
  // What a process killed mid-delivery leaves behind: the attempt marker.
  await kit.store.queue.startAttempt({
    queueId: id,
    recipientIds: [r.id],
    now: kit.time.now,
    retryAt: kit.time.now + 3_600_000,
  })
  assert.equal(await kit.store.queue.recoverInterrupted(kit.time.now), 1)
  const shown = await kit.store.queue.show(id)
  assert.deepEqual(
    shown?.history.map((h) => h.kind),
    ['queued', 'attempt', 'abandoned'],
  )
  assert.deepEqual(
    await kit.store.queue.due({ now: kit.time.now, limit: 10 }).then((g) => g.length),
    1,
  )
})

test('queue: CLI-style retry and remove', async (t) => {
  const kit = await startQueueKit({ script: answerAll('temporary', 451, '4.3.0', 'later') })
  t.after(() => kit.close())
  const id = await kit.enqueue({ from: 'alice@a.test', to: ['bob@b.test'] })
  await kit.runUntil(() => kit.transport.calls.length === 1)
  await kit.queue.runner.idle()
  const [entry] = await kit.store.queue.list()
  assert.equal(entry?.state, 'deferred')
  assert.equal(entry.nextAttemptAt, kit.time.now + 5 * MIN)
  assert.equal(await kit.store.queue.retry(id, kit.time.now), 1)
  kit.queue.wake()
  await kit.queue.runner.idle()
  assert.equal(kit.transport.calls.length, 2)
  assert.equal(await kit.store.queue.remove(id), true)
  assert.equal(await kit.store.queue.remove(id), false)
  assert.deepEqual(await kit.store.queue.list(), [])
})

test('queue: finished messages are purged after keep_finished_s; waiting ones stay', async (t) => {
  const kit = await startQueueKit({
    script: (req, call) =>
      req.recipients[0]?.address.startsWith('wait')
        ? answerAll('temporary', 451, '4.3.0', 'later')(req, call)
        : answerAll('delivered', 250, '2.0.0', 'ok')(req, call),
  })
  t.after(() => kit.close())
  const done = await kit.enqueue({ from: 'alice@a.test', to: ['done@b.test'] })
  const waiting = await kit.enqueue({ from: 'alice@a.test', to: ['wait@c.test'] })
  await kit.runUntil(() => kit.transport.calls.length === 2)
  await kit.queue.runner.idle()
  assert.equal(await kit.store.queue.purgeFinished(kit.time.now - 1), 0, 'not old enough yet')
  assert.equal(await kit.store.queue.purgeFinished(kit.time.now + 1), 1)
  assert.equal(await kit.store.queue.show(done), undefined)
  assert.equal((await kit.store.queue.show(waiting))?.recipients[0]?.state, 'deferred')
})

test('queue: final outcomes of submitted mail are told to the sender score', async (t) => {
  const told: [number, string][] = []
  const kit = await startQueueKit({
    script: (req, call) =>
      req.domain === 'bad.test'
        ? answerAll('permanent', 550, '5.7.1', 'refused')(req, call)
        : answerAll('delivered', 250, '2.0.0', 'ok')(req, call),
    onOutcome: (id, outcome) => {
      told.push([id, outcome])
      return Promise.resolve()
    },
  })
  t.after(() => kit.close())
  await kit.enqueue({ from: 'alice@a.test', to: ['x@good.test', 'y@bad.test'], submitter: 1 })
  await kit.enqueue({ from: 'relay@far.test', to: ['z@good.test'] })
  await kit.runUntil(() => kit.transport.calls.length >= 3)
  await kit.queue.runner.idle()
  assert.deepEqual(
    told.sort((a, b) => a[1].localeCompare(b[1])),
    [
      [1, 'bounced'],
      [1, 'delivered'],
    ],
  )
})
