// Python's imaplib (stdlib, a real IMAP client) against Postern's IMAP listeners: LOGIN,
// LIST, SELECT, FETCH byte-exact against what was delivered over SMTP, SEARCH, STORE,
// COPY/MOVE, EXPUNGE, APPEND, IDLE seeing a new SMTP delivery, STARTTLS and IMAPS. The
// steps run in test/e2e/fixtures/imaplib-steps.py; this file delivers mail and asserts.
// Each test works on its own messages (unique Message-IDs) or its own user.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  LOOPBACK_NETWORKS,
  startPosternProcess,
  type PosternProcess,
} from '../harness/postern-process.ts'
import {
  dataText,
  fetchLiteral,
  runImaplib,
  type ImaplibOptions,
  type ImaplibStep,
  type ImaplibResult,
} from '../harness/imap-client-imaplib.ts'
import { deliver, testMessage, type TestMessage } from '../harness/imap-client-mail.ts'
import { readMailbox } from '../harness/store-reader.ts'

const ALICE = 'alice@example.test'
const BOB = 'bob@example.test'
const PASS = 'secret-imap-1'

function ok(r: ImaplibResult | undefined, what: string): ImaplibResult {
  assert.ok(r !== undefined, `${what}: no result`)
  assert.equal(r.error, undefined, `${what}: ${r.error ?? ''} ${JSON.stringify(r.data)}`)
  assert.equal(r.typ, 'OK', `${what}: ${JSON.stringify(r)}`)
  return r
}

/** The UIDs in a UID SEARCH result (`["4 5 9"]`). */
function uids(r: ImaplibResult | undefined): number[] {
  const text = dataText(r?.data).trim()
  return text === '' ? [] : text.split(/\s+/).map(Number)
}

describe('imaplib against Postern IMAP', { timeout: 180_000 }, () => {
  let srv: PosternProcess
  const opts = (user = ALICE): ImaplibOptions => ({
    port: srv.imapPort,
    mode: 'plain',
    user,
    password: PASS,
  })
  /** Delivers fresh messages to alice and returns them. */
  const fresh = async (n: number, body?: (i: number) => string): Promise<TestMessage[]> => {
    const mails = Array.from({ length: n }, (_, i) =>
      testMessage({ id: randomUUID(), to: ALICE, ...(body ? { body: body(i) } : {}) }),
    )
    await deliver(
      srv.smtpPort,
      mails.map((message) => ({ to: ALICE, message })),
    )
    return mails
  }
  const searchId = (m: TestMessage): ImaplibStep => ({
    op: 'uid',
    args: ['SEARCH', 'HEADER', 'Message-ID', `<${m.id}@client.test>`],
  })

  before(async () => {
    srv = await startPosternProcess({
      imap: true,
      imapPlaintextNetworks: LOOPBACK_NETWORKS,
      users: [
        { address: ALICE, password: PASS },
        { address: BOB, password: PASS },
      ],
    })
  })
  after(async () => {
    await srv.cleanup()
  })

  test('LOGIN, CAPABILITY, LIST, SELECT, STATUS over plaintext on loopback', async () => {
    await fresh(2)
    const run = await runImaplib(opts(), [
      { op: 'capabilities' },
      { op: 'call', name: 'list', args: ['""', '*'] },
      { op: 'call', name: 'select', args: ['INBOX'] },
      { op: 'call', name: 'status', args: ['INBOX', '(MESSAGES UIDNEXT UIDVALIDITY)'] },
    ])
    assert.equal(run.events[1]?.typ, 'OK', `login: ${JSON.stringify(run.events)} ${run.stderr}`)
    const caps = ok(run.results[0], 'capabilities').data ?? []
    assert.ok(caps.includes('IMAP4REV1') || caps.includes('IMAP4REV2'), String(caps))
    assert.ok(caps.includes('IDLE'), `IDLE advertised: ${String(caps)}`)
    assert.match(dataText(ok(run.results[1], 'LIST').data), /\) (?:"[^"]*"|NIL) "?INBOX"?$/im)
    const exists = Number(dataText(ok(run.results[2], 'SELECT').data))
    assert.ok(exists >= 2, `SELECT INBOX EXISTS ${exists}`)
    assert.match(dataText(ok(run.results[3], 'STATUS').data), /MESSAGES \d+.*UIDNEXT \d+/)
  })

  test('FETCH headers and bodies are byte-exact to what SMTP delivered', async () => {
    const [m] = await fresh(1, () => 'Line one.\nUTF-8: grüße, 日本.\n.leading dot\n\nend')
    assert.ok(m)
    const run = await runImaplib(opts(), [
      { op: 'call', name: 'select', args: ['INBOX'] },
      searchId(m),
    ])
    const [uid] = uids(ok(run.results[1], 'UID SEARCH'))
    assert.ok(uid !== undefined, `found ${m.id}`)
    const stored = readMailbox(srv.dataDir, ALICE).messages.find((s) => s.uid === uid)
    assert.ok(stored, `uid ${uid} in the store`)
    const f = await runImaplib(opts(), [
      { op: 'call', name: 'select', args: ['INBOX'] },
      { op: 'uid', args: ['FETCH', String(uid), '(BODY.PEEK[])'] },
      { op: 'uid', args: ['FETCH', String(uid), '(BODY.PEEK[HEADER])'] },
      { op: 'uid', args: ['FETCH', String(uid), '(BODY.PEEK[TEXT])'] },
      { op: 'uid', args: ['FETCH', String(uid), '(RFC822.SIZE FLAGS)'] },
      { op: 'uid', args: ['FETCH', String(uid), '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])'] },
      { op: 'uid', args: ['FETCH', String(uid), '(BODY.PEEK[]<0.10>)'] },
    ])
    const whole = fetchLiteral(ok(f.results[1], 'BODY[]').data, /BODY\[\] \{\d+\}$/)
    assert.ok(whole, `BODY[] literal: ${JSON.stringify(f.results[1])}`)
    assert.ok(whole.equals(stored.raw), 'BODY[] equals the stored message')
    assert.ok(whole.subarray(-m.raw.length).equals(m.raw), 'BODY[] ends with the sent message')
    const header = fetchLiteral(ok(f.results[2], 'BODY[HEADER]').data, /BODY\[HEADER\]/)
    const text = fetchLiteral(ok(f.results[3], 'BODY[TEXT]').data, /BODY\[TEXT\]/)
    assert.ok(header && text)
    assert.ok(text.equals(m.body), `BODY[TEXT] byte-exact: ${JSON.stringify(text.toString())}`)
    assert.ok(Buffer.concat([header, text]).equals(stored.raw), 'HEADER + TEXT = BODY[]')
    assert.ok(header.toString('latin1').endsWith('\r\n\r\n'), 'HEADER ends with the blank line')
    const size = /RFC822\.SIZE (\d+)/.exec(dataText(ok(f.results[4], 'SIZE').data))
    assert.equal(Number(size?.[1]), stored.raw.length, 'RFC822.SIZE')
    assert.doesNotMatch(dataText(f.results[4]?.data), /\\Seen/, 'BODY.PEEK does not set \\Seen')
    const subj = fetchLiteral(ok(f.results[5], 'HEADER.FIELDS').data, /HEADER\.FIELDS/)
    assert.equal(subj?.toString('latin1'), `Subject: ${m.subject}\r\n\r\n`)
    const part = fetchLiteral(ok(f.results[6], 'partial').data, /BODY\[\]<0>/)
    assert.ok(part?.equals(stored.raw.subarray(0, 10)), `partial <0.10>: ${String(part)}`)
  })

  test('SEARCH by header, subject, body text, flags and UID', async () => {
    const word = `zebra${randomUUID().slice(0, 8)}`
    const [a, b] = await fresh(2, (i) => (i === 1 ? `Nothing here but the ${word}.` : 'plain'))
    assert.ok(a && b)
    const run = await runImaplib(opts(), [
      { op: 'call', name: 'select', args: ['INBOX'] },
      searchId(b),
      { op: 'uid', args: ['SEARCH', 'TEXT', word] },
      { op: 'uid', args: ['SEARCH', 'BODY', word] },
      { op: 'uid', args: ['SEARCH', 'SUBJECT', b.id] },
      { op: 'uid', args: ['SEARCH', 'SUBJECT', `nonexistent-${word}`] },
      { op: 'call', name: 'search', args: [null, 'ALL'] },
      { op: 'uid', args: ['SEARCH', 'UNSEEN', 'TEXT', word] },
    ])
    const [uidB] = uids(ok(run.results[1], 'HEADER'))
    assert.ok(uidB !== undefined)
    assert.deepEqual(uids(ok(run.results[2], 'TEXT')), [uidB])
    assert.deepEqual(uids(ok(run.results[3], 'BODY')), [uidB])
    assert.deepEqual(uids(ok(run.results[4], 'SUBJECT')), [uidB])
    assert.deepEqual(uids(ok(run.results[5], 'SUBJECT none')), [])
    assert.ok(uids(ok(run.results[6], 'ALL')).length >= 2)
    assert.deepEqual(uids(ok(run.results[7], 'UNSEEN TEXT')), [uidB])
  })

  test('STORE adds and removes flags; FETCH FLAGS and SEARCH see them', async () => {
    const [m] = await fresh(1)
    assert.ok(m)
    const find = await runImaplib(opts(), [
      { op: 'call', name: 'select', args: ['INBOX'] },
      searchId(m),
    ])
    const uid = String(uids(ok(find.results[1], 'find'))[0])
    const run = await runImaplib(opts(), [
      { op: 'call', name: 'select', args: ['INBOX'] },
      { op: 'uid', args: ['STORE', uid, '+FLAGS', '(\\Seen \\Flagged $Label1)'] },
      { op: 'uid', args: ['FETCH', uid, '(FLAGS)'] },
      { op: 'uid', args: ['SEARCH', 'FLAGGED', 'HEADER', 'Message-ID', m.id] },
      { op: 'uid', args: ['STORE', uid, '-FLAGS.SILENT', '(\\Flagged)'] },
      { op: 'uid', args: ['FETCH', uid, '(FLAGS)'] },
      { op: 'uid', args: ['SEARCH', 'KEYWORD', '$Label1', 'HEADER', 'Message-ID', m.id] },
    ])
    const after1 = dataText(ok(run.results[1], '+FLAGS').data)
    assert.match(after1, /\\Flagged/)
    const flags1 = dataText(ok(run.results[2], 'FETCH FLAGS').data)
    for (const f of ['\\Seen', '\\Flagged', '$Label1']) assert.ok(flags1.includes(f), flags1)
    assert.deepEqual(uids(ok(run.results[3], 'SEARCH FLAGGED')), [Number(uid)])
    ok(run.results[4], '-FLAGS.SILENT')
    const flags2 = dataText(ok(run.results[5], 'FETCH FLAGS').data)
    assert.ok(flags2.includes('\\Seen') && !flags2.includes('\\Flagged'), flags2)
    assert.deepEqual(uids(ok(run.results[6], 'SEARCH KEYWORD')), [Number(uid)])
  })

  test('CREATE, COPY, MOVE, EXPUNGE', async () => {
    const ms = await fresh(3)
    const box = `Archive-${randomUUID().slice(0, 8)}`
    const find = await runImaplib(opts(), [
      { op: 'call', name: 'select', args: ['INBOX'] },
      ...ms.map(searchId),
    ])
    const [u0, u1, u2] = find.results.slice(1).map((r) => String(uids(ok(r, 'find'))[0]))
    assert.ok(u0 !== undefined && u1 !== undefined && u2 !== undefined)
    const run = await runImaplib(opts(), [
      { op: 'call', name: 'create', args: [box] },
      { op: 'call', name: 'select', args: ['INBOX'] },
      { op: 'uid', args: ['COPY', u0, box] },
      { op: 'uid', args: ['STORE', u2, '+FLAGS.SILENT', '(\\Deleted)'] },
      { op: 'call', name: 'expunge' },
      { op: 'uid', args: ['MOVE', u1, box] },
      { op: 'uid', args: ['SEARCH', 'UID', `${u0}:${u2}`] },
      { op: 'call', name: 'status', args: [box, '(MESSAGES)'] },
      { op: 'call', name: 'select', args: [box] },
      { op: 'uid', args: ['FETCH', '1:*', '(BODY.PEEK[TEXT])'] },
    ])
    ok(run.results[0], 'CREATE')
    ok(run.results[2], 'COPY')
    ok(run.results[3], 'STORE \\Deleted')
    // imaplib returns the untagged EXPUNGE responses: exactly one message went.
    assert.equal(dataText(ok(run.results[4], 'EXPUNGE').data).trim().split(/\s+/).length, 1)
    ok(run.results[5], 'MOVE')
    assert.deepEqual(uids(ok(run.results[6], 'SEARCH')), [Number(u0)], 'only the copied one left')
    assert.match(dataText(ok(run.results[7], 'STATUS').data), /MESSAGES 2\b/)
    assert.equal(dataText(ok(run.results[8], 'SELECT box').data), '2')
    const text = dataText(ok(run.results[9], 'FETCH box').data)
    assert.ok(text.includes(ms[0]?.id ?? '?') && text.includes(ms[1]?.id ?? '?'), text)
  })

  test('APPEND stores the message byte-exact with its flags', async () => {
    const box = `Drafts-${randomUUID().slice(0, 8)}`
    const m = testMessage({ id: randomUUID(), to: ALICE, body: 'Appended.\n\u00e9t\u00e9' })
    const lit = { bytes: m.raw.toString('latin1') }
    const run = await runImaplib(opts(), [
      { op: 'call', name: 'create', args: [box] },
      {
        op: 'call',
        name: 'append',
        args: [box, '(\\Draft \\Seen)', '"03-Mar-2026 10:00:00 +0000"', lit],
      },
      { op: 'call', name: 'select', args: [box] },
      { op: 'uid', args: ['FETCH', '1:*', '(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])'] },
    ])
    ok(run.results[0], 'CREATE')
    const app = dataText(ok(run.results[1], 'APPEND').data)
    assert.match(app, /APPENDUID \d+ \d+/, 'UIDPLUS APPENDUID')
    const data = ok(run.results[3], 'FETCH').data
    const body = fetchLiteral(data, /BODY\[\]/)
    assert.ok(body?.equals(m.raw), `APPENDed bytes back: ${String(body)}`)
    const text = dataText(data)
    assert.match(text, /\\Draft/)
    assert.match(text, /\\Seen/)
    assert.match(text, /INTERNALDATE "03-Mar-2026 10:00:00 \+0000"/)
    assert.match(text, new RegExp(`RFC822.SIZE ${m.raw.length}\\b`))
  })

  test('IDLE sees a message delivered over SMTP', async () => {
    const m = testMessage({ id: randomUUID(), to: ALICE })
    let delivery: Promise<void> | undefined
    const run = await runImaplib(
      {
        ...opts(),
        onIdling: () => {
          delivery = deliver(srv.smtpPort, [{ to: ALICE, message: m }])
        },
      },
      [{ op: 'call', name: 'select', args: ['INBOX'] }, { op: 'idle', timeout: 10 }, searchId(m)],
    )
    await delivery
    const idle = ok(run.results[1], 'IDLE')
    assert.match(dataText(idle.data), /^\* \d+ EXISTS$/m)
    assert.ok((idle.waited_s ?? 99) < 5, `EXISTS after ${idle.waited_s ?? '?'} s`)
    assert.equal(uids(ok(run.results[2], 'SEARCH')).length, 1)
  })

  test('STARTTLS, then LOGIN and FETCH', async () => {
    const [m] = await fresh(1)
    assert.ok(m)
    const run = await runImaplib({ ...opts(), mode: 'starttls' }, [
      { op: 'call', name: 'select', args: ['INBOX'] },
      searchId(m),
    ])
    assert.equal(run.events[1]?.typ, 'OK', `login: ${JSON.stringify(run.events)} ${run.stderr}`)
    assert.equal(uids(ok(run.results[1], 'SEARCH')).length, 1)
  })

  test('IMAPS (implicit TLS), then LOGIN and FETCH', async () => {
    const [m] = await fresh(1)
    assert.ok(m)
    const run = await runImaplib({ ...opts(), port: srv.imapsPort, mode: 'imaps' }, [
      { op: 'call', name: 'select', args: ['INBOX'] },
      searchId(m),
      { op: 'uid', args: ['FETCH', '1:*', '(UID)'] },
    ])
    assert.equal(run.events[1]?.typ, 'OK', `login: ${JSON.stringify(run.events)} ${run.stderr}`)
    assert.equal(uids(ok(run.results[1], 'SEARCH')).length, 1)
    ok(run.results[2], 'FETCH')
  })

  test("a wrong password is refused, and bob sees none of alice's mail", async () => {
    const bad = await runImaplib({ ...opts(), password: 'wrong' }, [])
    assert.ok(bad.events[1]?.error !== undefined, `wrong password: ${JSON.stringify(bad.events)}`)
    const [m] = await fresh(1)
    assert.ok(m)
    const run = await runImaplib(opts(BOB), [
      { op: 'call', name: 'select', args: ['INBOX'] },
      searchId(m),
      { op: 'call', name: 'select', args: [`"../${ALICE}/INBOX"`] },
      { op: 'call', name: 'list', args: ['""', '*'] },
    ])
    assert.equal(dataText(ok(run.results[0], 'SELECT').data), '0')
    assert.deepEqual(uids(ok(run.results[1], 'SEARCH')), [])
    assert.notEqual(run.results[2]?.typ, 'OK', 'no way into another account by name')
    assert.doesNotMatch(dataText(ok(run.results[3], 'LIST').data), /Archive-|Drafts-|alice/)
  })
})

describe('imaplib: LOGIN needs TLS outside the plaintext networks', { timeout: 60_000 }, () => {
  let srv: PosternProcess
  before(async () => {
    srv = await startPosternProcess({ imap: true, users: [{ address: ALICE, password: PASS }] })
  })
  after(async () => {
    await srv.cleanup()
  })

  test('LOGINDISABLED before STARTTLS, LOGIN works after it', async () => {
    const base = { port: srv.imapPort, user: ALICE, password: PASS }
    const plain = await runImaplib({ ...base, mode: 'plain', noLogin: true }, [
      { op: 'call', name: 'login', args: [ALICE, PASS] },
    ])
    const caps = plain.events[0]?.capabilities ?? []
    assert.ok(caps.includes('LOGINDISABLED'), `LOGINDISABLED in ${String(caps)}`)
    assert.notEqual(plain.results[0]?.typ, 'OK', 'plaintext LOGIN refused')
    const tls = await runImaplib({ ...base, mode: 'starttls' }, [{ op: 'capabilities' }])
    assert.equal(tls.events[1]?.typ, 'OK', `login: ${JSON.stringify(tls.events)} ${tls.stderr}`)
    assert.ok(!(ok(tls.results[0], 'caps').data ?? []).includes('LOGINDISABLED'))
  })
})
