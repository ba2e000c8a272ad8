// The spam-learning wiring from configuration: which signal sources are on, greylisting as a
// RCPT check only when enabled, and what the verdict observer teaches (reputation from inbound
// verdicts, greylisting from DMARC passes, the sender score from pre-flight refusals).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { configSchema } from '../config/schema.ts'
import { staticResolver } from '../dns/resolver.ts'
import type { AuthOutcome } from '../email-auth/outcome.ts'
import type { SignalInput } from '../spam/signal.ts'
import type { SpamVerdict } from '../spam/verdict.ts'
import { openSqliteStore } from '../store/dialects/sqlite/open-sqlite-store.ts'
import type { Store } from '../store/types.ts'
import { createLogger } from '../telemetry/logger.ts'
import { createSpamLearning } from './spam-learning.ts'

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-learning-'))
  const store = openSqliteStore({ path: join(dir, 'db.sqlite') })
  try {
    await fn(store)
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function learning(store: Store, config: unknown) {
  return createSpamLearning({
    config: configSchema.parse(config),
    store,
    resolver: staticResolver({}),
    logger: createLogger({ level: 'silent' }),
    clock: () => 1_700_000_000_000,
  })
}

function verdict(action: SpamVerdict['action'], direction: SpamVerdict['direction']): SpamVerdict {
  return {
    version: 1,
    direction,
    score: 0,
    action,
    thresholds: { junk: 5, reject: 12, preflight: 8 },
    hits: [],
    sources: [],
    analyzedAt: 0,
    durationMs: 0,
  }
}

const DMARC_PASS: AuthOutcome = {
  spf: { result: 'pass', domain: 'sender.example' },
  dkim: [{ result: 'pass', domain: 'sender.example', selector: 's', aligned: true }],
  dmarc: { result: 'pass', domain: 'sender.example', policy: 'reject', disposition: 'none' },
  arc: { result: 'none' },
  header: '',
}

function input(over: Partial<SignalInput> = {}): SignalInput {
  return {
    raw: Buffer.from('Subject: x\r\n\r\nhi\r\n'),
    clientIp: '192.0.2.10',
    helo: 'mx.sender.example',
    mailFrom: 'a@sender.example',
    rcpts: ['u@postern.test'],
    accountIds: [],
    direction: 'inbound',
    ...over,
  }
}

void test('defaults: bayes and reputation signals, no blocklists, no greylisting', async () => {
  await withStore((store) => {
    const l = learning(store, {})
    assert.deepEqual(
      l.signals.map((s) => s.name),
      ['bayes', 'reputation'],
    )
    assert.equal(l.greylist, undefined)
    assert.deepEqual(l.rcptChecks, [])
    assert.ok(l.senderScore !== undefined)
    const on = learning(store, {
      greylist: { enabled: true },
      dnsbl: { ip_lists: ['bl.test:2'] },
      bayes: { enabled: false },
      sender_score: { enabled: false },
    })
    assert.deepEqual(
      on.signals.map((s) => s.name),
      ['reputation', 'dnsbl'],
    )
    assert.equal(on.rcptChecks.length, 1)
    assert.equal(on.senderScore, undefined)
    return Promise.resolve()
  })
})

void test('the observer: inbound verdicts feed reputation, DMARC passes feed greylisting', async () => {
  await withStore(async (store) => {
    const l = learning(store, { greylist: { enabled: true } })
    await l.observer.onVerdict(input({ auth: DMARC_PASS }), verdict('none', 'inbound'))
    await l.observer.onVerdict(input(), verdict('junk', 'inbound'))
    const rows = await store.spamLearning.reputation.get([
      'ip:192.0.2.0/24',
      'domain:sender.example',
    ])
    assert.deepEqual(
      rows.map((r) => [r.key, r.ham, r.spam]),
      [
        ['ip:192.0.2.0/24', 1, 1],
        ['domain:sender.example', 1, 0],
      ],
    )
    // The DMARC-passing triple is already known: no greylisting for its next message.
    assert.deepEqual(
      await l.greylist?.check({
        clientIp: '192.0.2.99',
        mailFrom: 'A@sender.example',
        rcpt: 'u@postern.test',
      }),
      { kind: 'pass', why: 'known' },
    )
  })
})

void test('the observer: a pre-flight refusal counts against the submitting account', async () => {
  await withStore(async (store) => {
    await store.domains.add('postern.test')
    const account = await store.accounts.add({ address: 'u@postern.test', passwordHash: 'x' })
    const l = learning(store, { sender_score: { throttle_refusals: 1 } })
    const outbound = input({ direction: 'outbound', accountIds: [account.id] })
    await l.observer.onVerdict(outbound, verdict('refuse', 'outbound'))
    await l.observer.onVerdict(outbound, verdict('none', 'outbound'))
    assert.deepEqual((await l.senderScore?.report(account.id))?.counts, {
      delivered: 0,
      bounced: 0,
      refused: 1,
    })
    await l.observer.onVerdict(outbound, verdict('refuse', 'outbound'))
    await assert.rejects(
      l.senderScore?.checkSender(account.id) ?? Promise.resolve(),
      /rate limited/,
    )
    // Outbound verdicts never touch the receiving reputation.
    assert.deepEqual(await store.spamLearning.reputation.get(['ip:192.0.2.0/24']), [])
  })
})
