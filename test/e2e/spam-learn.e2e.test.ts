// Spam learning end to end, against the real `postern serve`: the account is trained with
// `postern spam train` (the CLI, while the server runs), a message arrives over SMTP, and the
// user moves it into Junk with imapflow: the account's Bayes statistics learn it as spam (a
// similar message's probability rises, `postern spam classify` shows it) and the sending
// network's reputation counts a correction; moving it back to INBOX retrains it as ham and
// shifts the reputation the other way; STORE +FLAGS $Junk trains too. Another account's
// statistics never change.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ImapFlow } from 'imapflow'
import {
  LOOPBACK_NETWORKS,
  runPostern,
  startPosternProcess,
  type PosternProcess,
} from '../harness/postern-process.ts'
import { deliver, testMessage, type TestMessage } from '../harness/imap-client-mail.ts'
import { syntheticMail } from '../../src/spam/bayes/synthetic-mail.ts'

const PASS = 'secret-spam-learn-1'
const ALICE = 'alice@example.test'
const BOB = 'bob@example.test'

/** Words no training message has: the message's own vocabulary. */
const VOCABULARY =
  'quixotic marmalade zeppelin harpsichord obsidian walrus tangerine kaleidoscope ' +
  'gondola periwinkle saxophone labyrinth'

function vocabularyMessage(id: string, extra = ''): TestMessage {
  return testMessage({
    id,
    to: ALICE,
    from: 'someone@vocab-sender.test',
    subject: `${VOCABULARY.split(' ').slice(0, 4).join(' ')} ${extra}`,
    body: `${VOCABULARY}\r\n${VOCABULARY.split(' ').reverse().join(' ')} ${extra}`,
  })
}

describe('spam learning over IMAP and the CLI', { timeout: 90_000 }, () => {
  let srv: PosternProcess
  let work: string
  let client: ImapFlow

  const cli = async (...args: string[]): Promise<string> => {
    const r = await runPostern([...args, '--data', srv.dataDir])
    assert.equal(r.code, 0, `postern ${args.join(' ')}: ${r.stderr}`)
    return r.stdout.trim()
  }
  /** What `spam classify` prints for a file and an account: probability and training. */
  const classify = async (file: string, account = ALICE): Promise<{ p: number; on: string }> => {
    const out = await cli('spam', 'classify', '--account', account, file)
    const m = /^probability ([0-9.]+) \((trained on \d+ spam, \d+ ham)\)/.exec(out)
    if (m === null) return { p: NaN, on: out }
    return { p: Number(m[1]), on: m[2] ?? '' }
  }
  /** The UID of a message in the selected mailbox (the caller holds its lock), or 0. */
  const uidOf = async (id: string): Promise<number> => {
    const r = await client.search(
      { header: { 'message-id': `<${id}@client.test>` } },
      { uid: true },
    )
    assert.ok(Array.isArray(r) && r.length <= 1, `${id}: ${JSON.stringify(r)}`)
    return r[0] ?? 0
  }
  /** Moves a message between mailboxes by UID; returns false when it is not in `from`. */
  const move = async (id: string, from: string, to: string): Promise<boolean> => {
    const lock = await client.getMailboxLock(from)
    try {
      const uid = await uidOf(id)
      if (uid === 0) return false
      assert.ok((await client.messageMove(String(uid), to, { uid: true })) !== false)
      return true
    } finally {
      lock.release()
    }
  }

  before(async () => {
    srv = await startPosternProcess({
      users: [
        { address: ALICE, password: PASS },
        { address: BOB, password: PASS },
      ],
      imap: true,
      imapPlaintextNetworks: LOOPBACK_NETWORKS,
      env: { POSTERN_BAYES_MIN_SPAM: '10', POSTERN_BAYES_MIN_HAM: '10' },
    })
    work = await mkdtemp(join(tmpdir(), 'postern-spam-learn-'))
    const corpus = syntheticMail({ count: 40, seed: 11 })
    for (const [i, m] of corpus.entries()) {
      await writeFile(join(work, `${m.spam ? 'spam' : 'ham'}-${String(i)}.eml`), m.raw)
    }
    await writeFile(join(work, 'probe.eml'), vocabularyMessage('probe', 'probe').raw)
    client = new ImapFlow({
      host: '127.0.0.1',
      port: srv.imapPort,
      secure: false,
      doSTARTTLS: true,
      auth: { user: ALICE, pass: PASS },
      tls: { rejectUnauthorized: false },
      logger: false,
    })
    client.on('error', () => {
      // reported through the failing command
    })
    await client.connect()
  })

  after(async () => {
    await client.logout().catch(() => undefined)
    await srv.stop()
    await rm(work, { recursive: true, force: true })
  })

  test('postern spam train builds the account statistics', async () => {
    const names = await readdir(work)
    const files = (prefix: string) =>
      names.filter((n) => n.startsWith(prefix)).map((n) => join(work, n))
    const spam = await cli('spam', 'train', '--spam', '--account', ALICE, ...files('spam-'))
    assert.match(
      spam,
      /^trained 20 messages as spam for alice@example\.test .* now 20 spam, 0 ham$/,
    )
    const ham = await cli('spam', 'train', '--ham', '--account', ALICE, ...files('ham-'))
    assert.match(ham, /now 20 spam, 20 ham$/)
    const again = await cli('spam', 'train', '--ham', '--account', ALICE, ...files('ham-'))
    assert.match(again, /^trained 0 messages .* 20 already trained/)
    // A message of unseen words: no lean either way.
    const { p } = await classify(join(work, 'probe.eml'))
    assert.ok(Math.abs(p - 0.5) < 0.1, `probe before training: ${String(p)}`)
  })

  test('moving a message into Junk trains spam; moving it back trains ham', async () => {
    const message = vocabularyMessage('moved-1')
    await deliver(srv.smtpPort, [{ to: ALICE, message }])
    const probe = join(work, 'probe.eml')
    const bobBefore = await classify(probe, BOB)

    // The content filter may have put it in Junk already: then move it out first (ham).
    if (!(await move('moved-1', 'INBOX', 'Junk'))) {
      assert.ok(await move('moved-1', 'Junk', 'INBOX'))
      assert.ok(await move('moved-1', 'INBOX', 'Junk'))
    }
    const asSpam = await classify(probe)
    assert.equal(asSpam.on, 'trained on 21 spam, 20 ham')
    assert.ok(asSpam.p > 0.9, `probe after the move to Junk: ${String(asSpam.p)}`)
    const corrected = await cli('spam', 'reputation', '127.0.0.1')
    assert.match(corrected, /users moved [1-9]\d* to Junk/)
    // Bob's statistics are his own.
    assert.deepEqual(await classify(probe, BOB), bobBefore)

    assert.ok(await move('moved-1', 'Junk', 'INBOX'))
    const asHam = await classify(probe)
    assert.equal(asHam.on, 'trained on 20 spam, 21 ham')
    assert.ok(asHam.p < 0.1, `probe after the move back: ${String(asHam.p)}`)
    const back = await cli('spam', 'reputation', '127.0.0.1')
    const moved = /users moved (\d+) to Junk, (\d+) out of it/.exec(back)
    assert.ok(moved, back)
    assert.ok(Number(moved[2]) >= 1, back)
  })

  test('STORE +FLAGS $Junk trains spam, $NotJunk ham', async () => {
    const message = vocabularyMessage('flagged-1', 'flagged')
    await deliver(srv.smtpPort, [{ to: ALICE, message }])
    let lock = await client.getMailboxLock('INBOX')
    if ((await uidOf('flagged-1')) === 0) {
      lock.release()
      lock = await client.getMailboxLock('Junk')
    }
    try {
      const uid = String(await uidOf('flagged-1'))
      await client.messageFlagsAdd(uid, ['$Junk'], { uid: true })
      assert.equal((await classify(join(work, 'probe.eml'))).on, 'trained on 21 spam, 21 ham')
      await client.messageFlagsAdd(uid, ['$NotJunk'], { uid: true })
      assert.equal((await classify(join(work, 'probe.eml'))).on, 'trained on 20 spam, 22 ham')
    } finally {
      lock.release()
    }
  })

  test('postern sender-score shows the account and the restricted list', async () => {
    assert.equal(await cli('sender-score'), 'no account is throttled or suspended')
    const report = await cli('sender-score', ALICE)
    assert.match(report, /^alice@example\.test: ok\n {2}in the window: 0 delivered, 0 bounced/)
    const r = await runPostern(['sender-score', '--lift', '--data', srv.dataDir])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /--lift needs ADDRESS/)
  })
})
