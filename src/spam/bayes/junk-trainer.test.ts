// The IMAP training hook on a real store: a copy into Junk trains spam for the account and
// counts a reputation correction for the network in our Received field; out of Junk trains
// ham (retraining); into Trash says nothing; $Junk / $NotJunk train; bodies are read from the
// target mailbox (MOVE expunges the source).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteStore } from '../../store/dialects/sqlite/open-sqlite-store.ts'
import type { Store } from '../../store/types.ts'
import { createLogger } from '../../telemetry/logger.ts'
import { SenderReputation } from '../reputation/reputation.ts'
import { BayesClassifier } from './classifier.ts'
import { JunkTrainer } from './junk-trainer.ts'

const RAW = Buffer.from(
  'Received: from mx.sender.example ([198.51.100.23])\r\n' +
    '\tby mail.postern.test (Postern) with ESMTP id x;\r\n\tSat, 28 Nov 2026 05:00:00 +0000\r\n' +
    'From: someone@sender.example\r\nSubject: cheap marmalade\r\n\r\nzeppelin walrus\r\n',
)

interface Rig {
  store: Store
  trainer: JunkTrainer
  accountId: number
  box: (name: string) => Promise<number>
}

async function withTrainer(fn: (rig: Rig) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-junk-'))
  const store = openSqliteStore({ path: join(dir, 'db.sqlite') })
  await store.domains.add('postern.test')
  const account = await store.accounts.add({ address: 'u@postern.test', passwordHash: 'x' })
  const clock = () => 1_700_000_000_000
  const classifier = new BayesClassifier({
    repo: store.spamLearning.bayes,
    minSpam: 1,
    minHam: 1,
    weight: 4,
    clock,
  })
  const reputation = new SenderReputation({
    repo: store.spamLearning.reputation,
    weight: 2.5,
    minMessages: 1,
    correctionWeight: 5,
    clock,
  })
  const trainer = new JunkTrainer({
    store,
    classifier,
    reputation,
    logger: createLogger({ level: 'silent' }),
  })
  const box = async (name: string): Promise<number> => {
    const m = await store.mailboxes.get(account.id, name)
    assert.ok(m)
    return m.id
  }
  try {
    await fn({ store, trainer, accountId: account.id, box })
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

void test('into Junk: spam and a correction; back out: ham; into Trash: nothing', async () => {
  await withTrainer(async ({ store, trainer, accountId, box }) => {
    let where = { mailbox: 'INBOX', uid: 0 }
    where.uid = (await store.messages.append({ accountId, mailbox: 'INBOX', raw: RAW })).uid
    /** MOVE as the IMAP command does it, then the hook with the target's new UIDs. */
    const move = async (from: string, to: string): Promise<void> => {
      assert.equal(where.mailbox, from)
      const [sourceMailboxId, targetMailboxId] = [await box(from), await box(to)]
      const result = await store.messages.move({
        mailboxId: sourceMailboxId,
        uids: [where.uid],
        targetMailboxId,
      })
      const targetUids = result.mapping.map(([, uid]) => uid)
      await trainer.onUserMove({ accountId, sourceMailboxId, targetMailboxId, targetUids })
      where = { mailbox: to, uid: targetUids[0] ?? 0 }
    }
    await move('INBOX', 'Junk')
    assert.deepEqual(await store.spamLearning.bayes.totals(accountId), { spam: 1, ham: 0 })
    let [rep] = await store.spamLearning.reputation.get(['ip:198.51.100.0/24'])
    assert.equal(rep?.correctedSpam, 1)
    // Trained once: moving it out and in again through Trash changes nothing.
    await move('Junk', 'Trash')
    await move('Trash', 'Junk')
    assert.deepEqual(await store.spamLearning.bayes.totals(accountId), { spam: 1, ham: 0 })
    // Out of Junk: retrained as ham.
    await move('Junk', 'Archive')
    assert.deepEqual(await store.spamLearning.bayes.totals(accountId), { spam: 0, ham: 1 })
    ;[rep] = await store.spamLearning.reputation.get(['ip:198.51.100.0/24'])
    assert.equal(rep?.correctedHam, 1)
    // Between ordinary mailboxes: no training.
    await move('Archive', 'INBOX')
    assert.deepEqual(await store.spamLearning.bayes.totals(accountId), { spam: 0, ham: 1 })
  })
})

void test('$Junk trains spam and $NotJunk ham; other flags and missing UIDs are ignored', async () => {
  await withTrainer(async ({ store, trainer, accountId, box }) => {
    const { uid } = await store.messages.append({ accountId, mailbox: 'INBOX', raw: RAW })
    const mailboxId = await box('INBOX')
    await trainer.onUserFlags({ accountId, mailboxId, uids: [uid, 999], flags: ['\\Seen'] })
    assert.deepEqual(await store.spamLearning.bayes.totals(accountId), { spam: 0, ham: 0 })
    await trainer.onUserFlags({ accountId, mailboxId, uids: [uid, 999], flags: ['$junk'] })
    assert.deepEqual(await store.spamLearning.bayes.totals(accountId), { spam: 1, ham: 0 })
    await trainer.onUserFlags({ accountId, mailboxId, uids: [uid], flags: ['$NotJunk'] })
    assert.deepEqual(await store.spamLearning.bayes.totals(accountId), { spam: 0, ham: 1 })
  })
})
