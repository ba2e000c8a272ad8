// mbsync (isync, Debian package `isync`): a full two-way sync of an account with 1,000
// messages in four folders to a local Maildir over IMAPS, then changes on both sides
// (server: flags, MOVE, EXPUNGE, new mail over SMTP; Maildir: flags, a move between folders,
// deleted files, new files), a second sync that must make both sides equal to the expected
// state, and a third sync that finds nothing to do (no file changes, nothing changes on
// the server). mbsync -V names no counters, so "nothing to do" is checked
// on the states: every Maildir file and state file byte-identical, every server folder's
// MESSAGES, UIDNEXT and HIGHESTMODSEQ unchanged.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { ImapClient } from '../harness/imap-client.ts'
import { deliver, testMessage } from '../harness/imap-client-mail.ts'

const run = promisify(execFile)
const USER = 'sync@example.test'
const PASS = 'secret-mbsync-1'
/** Folder sizes before the first sync: 1,000 messages in all. */
const FOLDERS = { INBOX: 400, Work: 300, Lists: 200, Archive: 100 } as const
type Folder = keyof typeof FOLDERS
const NAMES = Object.keys(FOLDERS) as Folder[]

/** folder -> Message-ID -> sorted IMAP flags. */
type State = Record<string, Record<string, string>>

const MAILDIR_FLAGS: Record<string, string> = {
  D: '\\Draft',
  F: '\\Flagged',
  R: '\\Answered',
  S: '\\Seen',
  T: '\\Deleted',
}

function flagKey(flags: Iterable<string>): string {
  return [...flags]
    .filter((f) => f !== '\\Recent')
    .sort()
    .join(' ')
}

function messageIdOf(raw: string): string {
  return /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1] ?? '(none)'
}

/** Every folder's messages on the server, by Message-ID, with their flags. */
async function serverState(port: number): Promise<State> {
  const c = await ImapClient.connect(port, { tls: true, timeoutMs: 60_000 })
  try {
    await c.login(USER, PASS)
    const state: State = {}
    for (const name of NAMES) {
      const box: Record<string, string> = {}
      const sel = await c.command(`EXAMINE ${name}`)
      if (sel.status !== 'OK') continue
      const exists = sel.untagged.map((u) => /^\* (\d+) EXISTS/.exec(u.toString('latin1')))
      if (exists.some((m) => m !== null && m[1] !== '0')) {
        const r = await c.ok('UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])')
        for (const u of r.untagged) {
          const text = u.toString('latin1')
          if (!/^\* \d+ FETCH/.test(text)) continue
          const flags = /FLAGS \(([^)]*)\)/.exec(text)?.[1] ?? ''
          box[messageIdOf(text.slice(text.indexOf('}') + 3))] = flagKey(
            flags.split(' ').filter(Boolean),
          )
        }
      }
      state[name] = box
    }
    return state
  } finally {
    await c.logout()
  }
}

async function maildirFiles(dir: string): Promise<{ path: string; name: string }[]> {
  const out: { path: string; name: string }[] = []
  for (const sub of ['cur', 'new']) {
    let names: string[] = []
    try {
      names = await readdir(join(dir, sub))
    } catch {
      continue
    }
    for (const name of names) out.push({ path: join(dir, sub, name), name })
  }
  return out
}

/** The Maildir side in the same shape as serverState (flags from the :2, suffix). */
async function localState(root: string): Promise<State> {
  const state: State = {}
  for (const name of NAMES) {
    const box: Record<string, string> = {}
    for (const f of await maildirFiles(join(root, name))) {
      const info = /:2,([A-Za-z]*)$/.exec(f.name)?.[1] ?? ''
      const flags = (info.match(/[A-Z]/g) ?? [])
        .map((ch) => MAILDIR_FLAGS[ch])
        .filter((x) => x !== undefined)
      box[messageIdOf(await readFile(f.path, 'latin1'))] = flagKey(flags)
    }
    state[name] = box
  }
  return state
}

/** Every file in the Maildir tree (state files included) with a hash of its bytes. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  for (const e of entries) {
    if (!e.isFile()) continue
    const path = join(e.parentPath, e.name)
    out[path] = createHash('sha256')
      .update(await readFile(path))
      .digest('hex')
  }
  return out
}

/** STATUS (MESSAGES UIDNEXT HIGHESTMODSEQ) of every folder on the server. */
async function serverMarks(port: number): Promise<string[]> {
  const c = await ImapClient.connect(port, { tls: true, timeoutMs: 60_000 })
  try {
    await c.login(USER, PASS)
    const list = await c.ok('LIST "" "*"')
    const names = list.untagged.map((u) => /"([^"]*)"$/.exec(u.toString('utf8'))?.[1] ?? '?')
    const marks: string[] = []
    for (const name of names.sort()) {
      const r = await c.ok(`STATUS "${name}" (MESSAGES UIDNEXT HIGHESTMODSEQ)`)
      marks.push(...r.untagged.map((u) => u.toString('utf8')))
    }
    return marks
  } finally {
    await c.logout()
  }
}

interface SyncRun {
  out: string
  ms: number
}

describe('mbsync two-way sync of 1,000 messages', { timeout: 150_000 }, () => {
  let srv: PosternProcess
  let root: string
  let config: string
  const expected: State = {}

  const mbsync = async (): Promise<SyncRun> => {
    const t0 = performance.now()
    try {
      const { stdout, stderr } = await run('mbsync', ['-c', config, '-V', '-a'], {
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      })
      return { out: stdout + stderr, ms: performance.now() - t0 }
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string }
      throw new Error(
        `mbsync failed: ${e.message}\n${(e.stdout ?? '').slice(-3000)}\n${e.stderr ?? ''}`,
      )
    }
  }

  before(async () => {
    srv = await startPosternProcess({
      imap: true,
      users: [{ address: USER, password: PASS }],
    })
    root = join(srv.dataDir, '..', 'maildir')
    await mkdir(root, { recursive: true })
    config = join(srv.dataDir, '..', 'mbsyncrc')
    await writeFile(
      config,
      [
        'IMAPAccount postern',
        'Host 127.0.0.1',
        `Port ${srv.imapsPort}`,
        `User ${USER}`,
        `Pass ${PASS}`,
        'SSLType IMAPS', // isync 1.4 (Debian 12); 1.5 calls it TLSType
        `CertificateFile ${srv.certFile}`,
        'AuthMechs LOGIN PLAIN',
        'PipelineDepth 32',
        'Timeout 30',
        '',
        'IMAPStore remote',
        'Account postern',
        '',
        'MaildirStore local',
        `Path ${root}/`,
        `Inbox ${root}/INBOX`,
        'SubFolders Verbatim',
        '',
        'Channel sync',
        'Far :remote:',
        'Near :local:',
        'Patterns *',
        'Create Both',
        'Expunge Both',
        'SyncState *',
        'CopyArrivalDate yes',
        '',
      ].join('\n'),
    )
    // 1,000 messages over SMTP into INBOX, then spread over the folders with UID MOVE.
    const mails = Array.from({ length: 1000 }, (_, i) =>
      testMessage({ id: `m${i}-${randomUUID()}`, to: USER, body: `Message ${i}.\nSync me.` }),
    )
    await deliver(
      srv.smtpPort,
      mails.map((message) => ({ to: USER, message })),
      4,
    )
    const c = await ImapClient.connect(srv.imapsPort, { tls: true, timeoutMs: 60_000 })
    await c.login(USER, PASS)
    await c.ok('SELECT INBOX')
    let first = FOLDERS.INBOX
    const uids = (await c.ok('UID SEARCH ALL')).untagged
      .map((u) => u.toString('latin1'))
      .join(' ')
      .replace(/^\* SEARCH/, '')
      .trim()
      .split(/\s+/)
      .map(Number)
    assert.equal(uids.length, 1000, 'all 1,000 delivered')
    for (const name of ['Work', 'Lists', 'Archive'] as const) {
      // Archive is one of the special-use folders every account starts with.
      const created = await c.command(`CREATE ${name}`)
      assert.ok(created.status === 'OK' || /ALREADYEXISTS/.test(created.text), created.text)
      const slice = uids.slice(first, first + FOLDERS[name])
      await c.ok(`UID MOVE ${slice[0] ?? 0}:${slice.at(-1) ?? 0} ${name}`)
      first += FOLDERS[name]
    }
    await c.ok('SELECT Lists')
    await c.ok('STORE 1:* +FLAGS.SILENT (\\Seen)')
    await c.logout()
    Object.assign(expected, await serverState(srv.imapsPort))
    assert.deepEqual(
      NAMES.map((n) => Object.keys(expected[n] ?? {}).length),
      NAMES.map((n) => FOLDERS[n]),
    )
  })
  after(async () => {
    await srv.cleanup()
  })

  test('first sync downloads everything; changes on both sides; second and third sync', async () => {
    const first = await mbsync()
    assert.deepEqual(
      await localState(root),
      expected,
      `after the first sync\n${first.out.slice(-2000)}`,
    )

    // Server-side changes, through IMAP and SMTP.
    const c = await ImapClient.connect(srv.imapsPort, { tls: true, timeoutMs: 60_000 })
    await c.login(USER, PASS)
    await c.ok('SELECT INBOX')
    await c.ok('STORE 1:10 +FLAGS.SILENT (\\Flagged)')
    const inboxIds = Object.keys(expected.INBOX ?? {})
    // FETCH order is UID order, and expected was built from it: seq n = inboxIds[n - 1].
    for (const id of inboxIds.slice(0, 10)) setFlag(expected, 'INBOX', id, '\\Flagged')
    await c.ok('MOVE 11:15 Archive')
    for (const id of inboxIds.slice(10, 15)) moveTo(expected, 'INBOX', 'Archive', id)
    await c.ok('SELECT Work')
    await c.ok('STORE 1:5 +FLAGS.SILENT (\\Deleted)')
    await c.ok('EXPUNGE')
    for (const id of Object.keys(expected.Work ?? {}).slice(0, 5)) delete expected.Work?.[id]
    await c.logout()
    const news = Array.from({ length: 5 }, () => testMessage({ id: randomUUID(), to: USER }))
    await deliver(
      srv.smtpPort,
      news.map((message) => ({ to: USER, message })),
    )
    for (const m of news) put(expected, 'INBOX', `<${m.id}@client.test>`, '')

    // Maildir-side changes: flags by renaming, deleted files, a move, new files.
    const byId = async (folder: Folder): Promise<Map<string, { path: string; name: string }>> => {
      const map = new Map<string, { path: string; name: string }>()
      for (const f of await maildirFiles(join(root, folder))) {
        map.set(messageIdOf(await readFile(f.path, 'latin1')), f)
      }
      return map
    }
    const inbox = await byId('INBOX')
    for (const id of inboxIds.slice(20, 30)) {
      const f = inbox.get(id)
      assert.ok(f)
      const info = /:2,([A-Z]*)$/.exec(f.name)?.[1] ?? ''
      const base = f.name.replace(/:2,[A-Z]*$/, '')
      await rename(
        f.path,
        join(
          root,
          'INBOX',
          'cur',
          `${base}:2,${[...new Set([...(info.match(/[A-Z]/g) ?? []), 'S'])].sort().join('')}`,
        ),
      )
      setFlag(expected, 'INBOX', id, '\\Seen')
    }
    const lists = await byId('Lists')
    for (const id of [...lists.keys()].slice(0, 5)) {
      await rm(lists.get(id)?.path ?? '')
      delete expected.Lists?.[id]
    }
    const work = await byId('Work')
    for (const id of [...work.keys()].slice(-5)) {
      const f = work.get(id)
      assert.ok(f)
      // A file moved to another folder loses its UID (",U=n") so mbsync uploads it there.
      await rename(f.path, join(root, 'Archive', 'cur', f.name.replace(/,U=\d+/, '')))
      moveTo(expected, 'Work', 'Archive', id)
    }
    for (let i = 0; i < 3; i++) {
      const m = testMessage({ id: randomUUID(), to: USER, body: `Written locally ${i}.` })
      const name = `${Date.now()}.${process.pid}_${i}.localhost`
      await writeFile(join(root, 'Archive', 'new', name), m.raw)
      put(expected, 'Archive', `<${m.id}@client.test>`, '')
    }

    const second = await mbsync()
    const server2 = await serverState(srv.imapsPort)
    const local2 = await localState(root)
    assert.deepEqual(server2, expected, `server after the second sync\n${second.out.slice(-3000)}`)
    assert.deepEqual(local2, expected, `Maildir after the second sync\n${second.out.slice(-3000)}`)

    // Nothing to do: every file (messages and .mbsyncstate) keeps its name and bytes, and no
    // folder on the server gets a new UID, a new MODSEQ or a different message count.
    const filesBefore = await snapshot(root)
    const marksBefore = await serverMarks(srv.imapsPort)
    const third = await mbsync()
    assert.deepEqual(await snapshot(root), filesBefore, 'the third sync changed no file')
    assert.deepEqual(await serverMarks(srv.imapsPort), marksBefore, 'nor anything on the server')
    assert.deepEqual(await serverState(srv.imapsPort), expected)
    assert.deepEqual(await localState(root), expected)
    console.log(
      `mbsync: first ${first.ms.toFixed(0)} ms, second ${second.ms.toFixed(0)} ms, third ${third.ms.toFixed(0)} ms`,
    )
  })
})

function setFlag(state: State, folder: string, id: string, flag: string): void {
  const box = state[folder]
  const cur = box?.[id]
  assert.ok(box && cur !== undefined, `${id} in ${folder}`)
  box[id] = flagKey(new Set([...cur.split(' ').filter(Boolean), flag]))
}

function moveTo(state: State, from: string, to: string, id: string): void {
  const flags = state[from]?.[id]
  assert.ok(flags !== undefined, `${id} in ${from}`)
  delete state[from]?.[id]
  put(state, to, id, flags)
}

function put(state: State, folder: string, id: string, flags: string): void {
  const box = state[folder] ?? {}
  box[id] = flags
  state[folder] = box
}
