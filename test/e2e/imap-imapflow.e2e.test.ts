// imapflow (npm, the IMAP client WildDuck's authors maintain) against Postern's IMAP
// listeners: STARTTLS and IMAPS, LIST/STATUS, FETCH (source byte-exact, ENVELOPE,
// BODYSTRUCTURE), SEARCH, flags, COPY/MOVE with UIDPLUS, delete, APPEND, CONDSTORE
// (CHANGEDSINCE, UNCHANGEDSINCE), QRESYNC (VANISHED on re-select), live updates from another
// session, and IDLE latency from the SMTP 250 to the EXISTS notification (< 1 s here; the
// p99 is measured by bench/imap.ts). Each test uses its own messages or its own user.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { ImapFlow, type ImapFlowOptions } from 'imapflow'
import {
  LOOPBACK_NETWORKS,
  startPosternProcess,
  type PosternProcess,
} from '../harness/postern-process.ts'
import { deliver, testMessage, type TestMessage } from '../harness/imap-client-mail.ts'
import { SmtpClient } from '../harness/smtp-client.ts'
import { readMailbox } from '../harness/store-reader.ts'

const PASS = 'secret-imapflow-1'
const ALICE = 'alice@example.test'
const CAROL = 'carol@example.test'
const DAVE = 'dave@example.test'

const MULTIPART = [
  'From: "Ann Example" <ann@client.test>',
  'To: alice@example.test, "Bob" <bob@client.test>',
  'Subject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?= multipart',
  'Message-ID: <MID@client.test>',
  'Date: Tue, 03 Mar 2026 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Hello gr=C3=BC=C3=9Fe.',
  '--b1',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Hello</p>',
  '--b1--',
  '',
].join('\r\n')

describe('imapflow against Postern IMAP', { timeout: 180_000 }, () => {
  let srv: PosternProcess
  const open: ImapFlow[] = []

  /** A connected client (STARTTLS on the imap port unless `secure`). */
  const connect = async (user = ALICE, extra: Partial<ImapFlowOptions> = {}): Promise<ImapFlow> => {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: extra.secure === true ? srv.imapsPort : srv.imapPort,
      secure: false,
      doSTARTTLS: extra.secure === true ? undefined : true,
      auth: { user, pass: PASS },
      tls: { rejectUnauthorized: false },
      logger: false,
      ...extra,
    })
    c.on('error', () => {
      // reported through the failing command
    })
    await c.connect()
    open.push(c)
    return c
  }
  const fresh = async (n: number, to = ALICE): Promise<TestMessage[]> => {
    const mails = Array.from({ length: n }, () => testMessage({ id: randomUUID(), to }))
    await deliver(
      srv.smtpPort,
      mails.map((message) => ({ to, message })),
    )
    return mails
  }
  const uidOf = async (c: ImapFlow, m: TestMessage): Promise<number> => {
    const r = await c.search({ header: { 'message-id': `<${m.id}@client.test>` } }, { uid: true })
    assert.ok(Array.isArray(r) && r.length === 1, `search ${m.id}: ${JSON.stringify(r)}`)
    return r[0] ?? 0
  }

  before(async () => {
    srv = await startPosternProcess({
      imap: true,
      imapPlaintextNetworks: LOOPBACK_NETWORKS,
      users: [ALICE, CAROL, DAVE].map((address) => ({ address, password: PASS })),
    })
  })
  after(async () => {
    for (const c of open) {
      if (c.usable) await c.logout().catch(() => undefined)
      c.close()
    }
    await srv.cleanup()
  })

  test('STARTTLS, LIST, STATUS, SELECT', async () => {
    await fresh(2)
    const c = await connect()
    assert.ok(c.secureConnection, 'connection upgraded with STARTTLS')
    const boxes = await c.list()
    assert.ok(
      boxes.some((b) => b.path === 'INBOX'),
      JSON.stringify(boxes.map((b) => b.path)),
    )
    const st = await c.status('INBOX', { messages: true, uidNext: true, uidValidity: true })
    assert.ok(st !== false && (st.messages ?? 0) >= 2, JSON.stringify(st, bigintJson))
    const mb = await c.mailboxOpen('INBOX')
    assert.equal(mb.exists, st.messages)
    assert.equal(mb.uidNext, st.uidNext)
  })

  test('IMAPS: implicit TLS', async () => {
    const c = await connect(ALICE, { secure: true })
    assert.ok(c.secureConnection)
    const mb = await c.mailboxOpen('INBOX')
    assert.ok(mb.uidValidity > 0n)
  })

  test('FETCH: source byte-exact, ENVELOPE, BODYSTRUCTURE, headers', async () => {
    const id = randomUUID()
    const raw = Buffer.from(MULTIPART.replace('MID', id), 'utf8')
    const smtp = await SmtpClient.connect(srv.smtpPort)
    await smtp.transact(250, 'EHLO client.test')
    const r = await smtp.sendMail('ann@client.test', [ALICE], raw)
    await smtp.quit()
    assert.equal(r.code, 250, r.raw)
    const c = await connect()
    await c.mailboxOpen('INBOX')
    const uid = await uidOf(c, { id } as TestMessage)
    const msg = await c.fetchOne(
      String(uid),
      { source: true, envelope: true, bodyStructure: true, size: true, headers: ['subject'] },
      { uid: true },
    )
    assert.ok(msg !== false)
    const stored = readMailbox(srv.dataDir, ALICE).messages.find((s) => s.uid === uid)
    assert.ok(msg.source?.equals(stored?.raw ?? Buffer.alloc(0)), 'source equals the stored bytes')
    assert.ok(msg.source?.subarray(-raw.length).equals(raw), 'source ends with what was sent')
    assert.equal(msg.size, stored?.raw.length)
    assert.equal(msg.envelope?.subject, 'grüße multipart')
    assert.equal(msg.envelope.messageId, `<${id}@client.test>`)
    assert.deepEqual(
      msg.envelope.from?.map((a) => [a.name, a.address]),
      [['Ann Example', 'ann@client.test']],
    )
    assert.equal(msg.envelope.to?.length, 2)
    const bs = msg.bodyStructure
    assert.equal(bs?.type, 'multipart/alternative')
    assert.deepEqual(
      bs.childNodes?.map((p) => [p.part, p.type, p.encoding]),
      [
        ['1', 'text/plain', 'quoted-printable'],
        ['2', 'text/html', '7bit'],
      ],
    )
    assert.equal(
      msg.headers?.toString('latin1'),
      'Subject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?= multipart\r\n\r\n',
    )
    const part = await c.download(String(uid), '1', { uid: true })
    const chunks: Buffer[] = []
    for await (const chunk of part.content ?? []) chunks.push(chunk as Buffer)
    assert.equal(Buffer.concat(chunks).toString('utf8'), 'Hello grüße.')
  })

  test('SEARCH: header, body, text, flags, ESEARCH COUNT', async () => {
    const [a, b] = await fresh(2)
    assert.ok(a && b)
    const c = await connect()
    await c.mailboxOpen('INBOX')
    const ub = await uidOf(c, b)
    assert.deepEqual(await c.search({ body: `Body of ${b.id}` }, { uid: true }), [ub])
    assert.deepEqual(await c.search({ text: b.id }, { uid: true }), [ub])
    assert.deepEqual(await c.search({ subject: b.id, seen: false }, { uid: true }), [ub])
    const all = await c.search({ all: true }, { uid: true })
    assert.ok(Array.isArray(all) && all.includes(ub))
    if (c.capabilities.has('ESEARCH')) {
      const es = await c.search({ all: true }, { uid: true, returnOptions: ['COUNT', 'MAX'] })
      assert.ok(es !== false && es !== undefined && !Array.isArray(es))
      assert.equal(es.count, all.length)
      assert.equal(es.max, Math.max(...all))
    }
  })

  test('flags, COPY and MOVE with UIDPLUS, delete', async () => {
    const ms = await fresh(3)
    const c = await connect()
    const box = `Folder-${randomUUID().slice(0, 8)}`
    await c.mailboxCreate(box)
    await c.mailboxOpen('INBOX')
    const [u0, u1, u2] = await Promise.all(ms.map((m) => uidOf(c, m)))
    assert.ok(u0 && u1 && u2)
    assert.ok(await c.messageFlagsAdd(String(u0), ['\\Flagged', '$Work'], { uid: true }))
    const f = await c.fetchOne(String(u0), { flags: true }, { uid: true })
    assert.ok(f !== false && f.flags?.has('\\Flagged') && f.flags.has('$Work'))
    const copied = await c.messageCopy(String(u0), box, { uid: true })
    assert.ok(copied !== false && copied.uidMap?.has(u0), 'COPYUID')
    const moved = await c.messageMove(String(u1), box, { uid: true })
    assert.ok(moved !== false && moved.uidMap?.has(u1), 'COPYUID on MOVE')
    assert.ok(await c.messageDelete(String(u2), { uid: true }))
    assert.deepEqual(await c.search({ uid: `${u0}:${u2}` }, { uid: true }), [u0])
    const inBox = await c.status(box, { messages: true })
    assert.ok(inBox !== false)
    assert.equal(inBox.messages, 2)
    await c.mailboxOpen(box)
    const copy = await c.fetchOne(String(copied.uidMap?.get(u0)), { flags: true }, { uid: true })
    assert.ok(copy !== false && copy.flags?.has('$Work'), 'COPY keeps the flags')
  })

  test('APPEND byte-exact with flags and APPENDUID', async () => {
    const c = await connect()
    const box = `Sent-${randomUUID().slice(0, 8)}`
    await c.mailboxCreate(box)
    const m = testMessage({ id: randomUUID(), to: 'x@client.test', body: 'Appended by imapflow.' })
    const res = await c.append(box, m.raw, ['\\Seen'], new Date('2026-03-03T10:00:00Z'))
    assert.ok(
      res !== false && res.uid !== undefined,
      `APPENDUID: ${JSON.stringify(res, bigintJson)}`,
    )
    await c.mailboxOpen(box)
    const got = await c.fetchOne(
      String(res.uid),
      { source: true, flags: true, internalDate: true },
      { uid: true },
    )
    assert.ok(got !== false)
    assert.ok(got.source?.equals(m.raw), 'APPENDed bytes back')
    assert.ok(got.flags?.has('\\Seen'))
    assert.equal(new Date(got.internalDate ?? 0).toISOString(), '2026-03-03T10:00:00.000Z')
  })

  test('SPECIAL-USE, LIST-STATUS, QUOTA, CREATE/RENAME/DELETE with a non-ASCII name', async () => {
    await fresh(1, DAVE)
    const c = await connect(DAVE)
    const boxes = await c.list({ statusQuery: { messages: true, unseen: true } })
    const byUse = new Map(boxes.map((b) => [b.specialUse ?? '', b.path]))
    for (const use of ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive']) {
      assert.ok(
        byUse.has(use),
        `${use} in ${JSON.stringify(boxes.map((b) => [b.path, b.specialUse]))}`,
      )
    }
    const inbox = boxes.find((b) => b.path === 'INBOX')
    assert.ok((inbox?.status?.messages ?? 0) >= 1, 'LIST-STATUS gives MESSAGES for INBOX')
    // Accounts have no storage quota unless one is set, and the CLI cannot set one yet: then
    // GETQUOTAROOT names no root (RFC 9208 4.3) and imapflow reports no STORAGE resource.
    const quota = await c.getQuota('INBOX')
    assert.ok(quota !== false, 'GETQUOTAROOT answered OK')
    if (quota.storage !== undefined) assert.equal(typeof quota.storage.usage, 'number')
    const name = `Entw\u00fcrfe-${randomUUID().slice(0, 6)}`
    const sub = `${name}/\u65e5\u672c`
    await c.mailboxCreate(name)
    await c.mailboxCreate(sub)
    const listed = (await c.list()).map((b) => b.path)
    assert.ok(listed.includes(name) && listed.includes(sub), JSON.stringify(listed))
    const renamed = `Umbenannt-\u00e9-${randomUUID().slice(0, 6)}`
    await c.mailboxRename(name, renamed)
    const after = (await c.list()).map((b) => b.path)
    assert.ok(
      after.includes(renamed) && after.includes(`${renamed}/\u65e5\u672c`),
      JSON.stringify(after),
    )
    assert.ok(!after.includes(name))
    await c.mailboxDelete(`${renamed}/\u65e5\u672c`)
    await c.mailboxDelete(renamed)
    assert.ok(!(await c.list()).some((b) => b.path.startsWith(renamed)))
  })

  test('a 5 MB message: APPEND, FETCH byte-exact, partial FETCH', async () => {
    const c = await connect(DAVE)
    const box = `Big-${randomUUID().slice(0, 8)}`
    await c.mailboxCreate(box)
    const line = 'All work and no play makes Jack a dull boy. 0123456789 abcdefghijklmnopq\r\n'
    const m = testMessage({ id: randomUUID(), to: DAVE, body: line.repeat(70_000) })
    assert.ok(m.raw.length > 5_000_000)
    const res = await c.append(box, m.raw)
    assert.ok(res !== false && res.uid !== undefined)
    await c.mailboxOpen(box)
    const got = await c.fetchOne(String(res.uid), { source: true, size: true }, { uid: true })
    assert.ok(got !== false)
    assert.equal(got.size, m.raw.length)
    assert.ok(got.source?.equals(m.raw), 'source byte-exact')
    const start = 3_000_001
    const part = await c.fetchOne(
      String(res.uid),
      { source: { start, maxLength: 1000 } },
      { uid: true },
    )
    assert.ok(part !== false && part.source?.equals(m.raw.subarray(start, start + 1000)))
  })

  test('CONDSTORE: HIGHESTMODSEQ, FETCH CHANGEDSINCE, STORE UNCHANGEDSINCE', async () => {
    const [a, b] = await fresh(2, CAROL)
    assert.ok(a && b)
    const c = await connect(CAROL)
    assert.ok(c.capabilities.has('CONDSTORE'), 'CONDSTORE advertised')
    const mb = await c.mailboxOpen('INBOX')
    const before = mb.highestModseq
    assert.ok(typeof before === 'bigint' && before > 0n, `HIGHESTMODSEQ ${String(before)}`)
    const ua = await uidOf(c, a)
    await c.messageFlagsAdd(String(ua), ['\\Answered'], { uid: true })
    const changed = await c.fetchAll('1:*', { flags: true, uid: true }, { changedSince: before })
    assert.deepEqual(
      changed.map((m) => m.uid),
      [ua],
      'only the changed message since the old HIGHESTMODSEQ',
    )
    assert.ok((changed[0]?.modseq ?? 0n) > before)
    const ub = await uidOf(c, b)
    // A STORE UNCHANGEDSINCE older than the message's MODSEQ must not change it.
    await c.messageFlagsAdd(String(ua), ['\\Flagged'], { uid: true, unchangedSince: before })
    const fa = await c.fetchOne(String(ua), { flags: true }, { uid: true })
    assert.ok(fa !== false && !fa.flags?.has('\\Flagged'), 'UNCHANGEDSINCE refused the change')
    const fresh2 = await c.fetchOne(String(ub), { flags: true }, { uid: true })
    assert.ok(fresh2 !== false && typeof fresh2.modseq === 'bigint')
    await c.messageFlagsAdd(String(ub), ['\\Flagged'], { uid: true, unchangedSince: fresh2.modseq })
    const fb = await c.fetchOne(String(ub), { flags: true }, { uid: true })
    assert.ok(fb !== false && fb.flags?.has('\\Flagged'), 'UNCHANGEDSINCE current: changed')
  })

  test('QRESYNC: re-SELECT reports VANISHED (EARLIER) and changed flags', async () => {
    const ms = await fresh(3, DAVE)
    const first = await connect(DAVE, { qresync: true })
    assert.ok(first.capabilities.has('QRESYNC'), 'QRESYNC advertised')
    const mb = await first.mailboxOpen('INBOX')
    const known = { uidValidity: mb.uidValidity, changedSince: mb.highestModseq ?? 0n }
    const [u0, u1] = await Promise.all(ms.slice(0, 2).map((m) => uidOf(first, m)))
    assert.ok(u0 && u1)
    await first.logout()
    const other = await connect(DAVE)
    await other.mailboxOpen('INBOX')
    await other.messageFlagsAdd(String(u0), ['\\Seen'], { uid: true })
    await other.messageDelete(String(u1), { uid: true })
    await other.logout()
    const again = await connect(DAVE, { qresync: true })
    const vanished: number[] = []
    const flagged: number[] = []
    again.on('expunge', (e) => {
      if (e.vanished && e.uid !== undefined) vanished.push(e.uid)
    })
    again.on('flags', (e) => {
      if (e.uid !== undefined) flagged.push(e.uid)
    })
    await again.mailboxOpen('INBOX', known)
    assert.ok(vanished.includes(u1), `VANISHED (EARLIER) ${u1}: ${JSON.stringify(vanished)}`)
    assert.ok(flagged.includes(u0), `FETCH FLAGS for ${u0}: ${JSON.stringify(flagged)}`)
  })

  test("another session's STORE and EXPUNGE reach an IDLE session", async () => {
    const ms = await fresh(2)
    const watcher = await connect()
    await watcher.mailboxOpen('INBOX')
    const [u0, u1] = await Promise.all(ms.map((m) => uidOf(watcher, m)))
    const flags = new Promise<number | undefined>((ok) => {
      watcher.once('flags', (e) => {
        ok(e.uid)
      })
    })
    const gone = new Promise<number | undefined>((ok) => {
      watcher.once('expunge', (e) => {
        ok(e.seq ?? e.uid)
      })
    })
    const idling = watcher.idle()
    const actor = await connect()
    await actor.mailboxOpen('INBOX')
    await actor.messageFlagsAdd(String(u0), ['\\Flagged'], { uid: true })
    const flaggedUid = await withTimeout(flags, 5000, 'FETCH FLAGS')
    assert.ok(flaggedUid === undefined || flaggedUid === u0)
    await actor.messageDelete(String(u1), { uid: true })
    await withTimeout(gone, 5000, 'EXPUNGE')
    await actor.logout()
    await watcher.noop()
    await idling
  })

  test('IDLE: EXISTS arrives within 1 s of the SMTP 250', async () => {
    const c = await connect(CAROL)
    const mb = await c.mailboxOpen('INBOX')
    let count = mb.exists
    const smtp = await SmtpClient.connect(srv.smtpPort)
    await smtp.transact(250, 'EHLO client.test')
    const latencies: number[] = []
    try {
      for (let i = 0; i < 5; i++) {
        const exists = new Promise<number>((ok) => {
          c.once('exists', () => {
            ok(performance.now())
          })
        })
        const idling = c.idle()
        const m = testMessage({ id: randomUUID(), to: CAROL })
        const r = await smtp.sendMail('sender@client.test', [CAROL], m.raw)
        const t250 = performance.now()
        assert.equal(r.code, 250)
        const tExists = await withTimeout(exists, 5000, 'EXISTS')
        latencies.push(Math.max(0, tExists - t250))
        count++
        await c.noop() // ends IDLE
        await idling
      }
    } finally {
      await smtp.quit()
    }
    assert.equal(c.mailbox === false ? -1 : c.mailbox.exists, count)
    assert.ok(Math.max(...latencies) < 1000, `SMTP 250 -> EXISTS ms: ${latencies.join(', ')}`)
  })
})

function bigintJson(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const t = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      fail(new Error(`${what}: nothing within ${ms} ms`))
    }, ms)
  })
  try {
    return await Promise.race([p, t])
  } finally {
    clearTimeout(timer)
  }
}
