// POP3 with real clients against the spawned server: Python's poplib (USER/PASS, STLS,
// POP3_SSL, UIDL, TOP, DELE), curl (pop3:// with STLS required, pop3s://) and a 10 MB message
// served byte-identical to what is stored.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { readMailbox } from '../harness/store-reader.ts'
import { deliverOverSmtp, pop3TestMessage } from '../harness/pop3-mail.ts'

const run = promisify(execFile)
const USER = 'user@example.test'
const PASSWORD = 'pop3 e2e password'

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/** Runs a Python poplib script with the ports in the environment; returns its JSON output. */
async function poplib(srv: PosternProcess, script: string): Promise<Record<string, unknown>> {
  const { stdout } = await run('python3', ['-c', script], {
    env: {
      ...process.env,
      POP3_PORT: String(srv.pop3Port),
      POP3S_PORT: String(srv.pop3sPort),
      POP3_USER: USER,
      POP3_PASSWORD: PASSWORD,
    },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  })
  return JSON.parse(stdout) as Record<string, unknown>
}

const PY_PRELUDE = `
import hashlib, json, os, poplib, ssl
port, sport = int(os.environ['POP3_PORT']), int(os.environ['POP3S_PORT'])
user, password = os.environ['POP3_USER'], os.environ['POP3_PASSWORD']
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def body(lines):
    return b''.join(l + b'\\r\\n' for l in lines)
`

describe('POP3 with real clients', { timeout: 180_000 }, () => {
  let srv: PosternProcess
  const messages = [1, 2, 3].map((i) => pop3TestMessage(`m${i}`, 2000 * i))

  before(async () => {
    srv = await startPosternProcess({
      users: [{ address: USER, password: PASSWORD }],
      pop3: true,
      pop3PlaintextNetworks: ['127.0.0.0/8'],
    })
    await deliverOverSmtp({ smtpPort: srv.smtpPort, to: USER, messages })
  })
  after(async () => {
    await srv.cleanup()
  })

  it('poplib: USER/PASS, STAT, LIST, UIDL, TOP and RETR byte-exact; STLS; POP3_SSL', async () => {
    const out = await poplib(
      srv,
      PY_PRELUDE +
        `
p = poplib.POP3('127.0.0.1', port, timeout=30)
caps = p.capa()
p.user(user); p.pass_(password)
count, size = p.stat()
uidl = [l.decode() for l in p.uidl()[1]]
top = body(p.top(1, 0)[1]).decode('latin1')
retr = [hashlib.sha256(body(p.retr(i)[1])).hexdigest() for i in range(1, count + 1)]
p.quit()
s = poplib.POP3('127.0.0.1', port, timeout=30)
s.stls(ctx)
s.user(user); s.pass_(password)
stls_count = s.stat()[0]
s.quit()
t = poplib.POP3_SSL('127.0.0.1', sport, context=ctx, timeout=30)
t.user(user); t.pass_(password)
t_uidl = [l.decode() for l in t.uidl()[1]]
t.quit()
print(json.dumps({'caps': sorted(caps.keys()), 'count': count, 'size': size, 'uidl': uidl,
  'top': top, 'retr': retr, 'stls_count': stls_count, 't_uidl': t_uidl}))
`,
    )
    const stored = readMailbox(srv.dataDir, USER)
    assert.equal(out.count, 3)
    assert.equal(
      out.size,
      stored.messages.reduce((s, m) => s + m.size, 0),
    )
    assert.deepEqual(
      out.retr,
      stored.messages.map((m) => sha256(m.raw)),
    )
    for (const [i, m] of stored.messages.entries()) {
      const sent = messages[i]
      assert.ok(sent && m.raw.subarray(-sent.length).equals(sent), 'stored = Received + sent')
    }
    assert.match(String(out.top), /Subject: pop3 m1\r\n[\s\S]*\r\n\r\n$/)
    assert.ok((out.caps as string[]).includes('STLS'))
    assert.ok((out.caps as string[]).includes('UIDL'))
    assert.equal(out.stls_count, 3)
    assert.deepEqual(out.t_uidl, out.uidl)
  })

  it('curl: pop3:// with STLS required and pop3s:// list and retrieve byte-exact', async () => {
    const stored = readMailbox(srv.dataDir, USER)
    const auth = ['-u', `${USER}:${PASSWORD}`, '-k', '-s', '--max-time', '30']
    const list = await run('curl', [...auth, '--ssl-reqd', `pop3://127.0.0.1:${srv.pop3Port}/`])
    assert.deepEqual(
      list.stdout.trim().split(/\r?\n/),
      stored.messages.map((m, i) => `${i + 1} ${m.size}`),
    )
    const got = await run('curl', [...auth, `pop3s://127.0.0.1:${srv.pop3sPort}/2`], {
      encoding: 'buffer',
    })
    assert.equal(sha256(got.stdout), sha256(stored.messages[1]?.raw ?? Buffer.alloc(0)))
    const plain = await run('curl', [...auth, `pop3://127.0.0.1:${srv.pop3Port}/1`], {
      encoding: 'buffer',
    })
    assert.equal(sha256(plain.stdout), sha256(stored.messages[0]?.raw ?? Buffer.alloc(0)))
  })

  it('a 10 MB message is served byte-identical (poplib and curl)', async () => {
    const big = pop3TestMessage('big', 10 * 1024 * 1024)
    await deliverOverSmtp({ smtpPort: srv.smtpPort, to: USER, messages: [big] })
    const stored = readMailbox(srv.dataDir, USER).messages.at(-1)
    assert.ok(stored, 'the big message is stored')
    assert.ok(stored.raw.subarray(-big.length).equals(big), 'stored = Received + sent')
    const out = await poplib(
      srv,
      PY_PRELUDE +
        `
p = poplib.POP3('127.0.0.1', port, timeout=60)
p.user(user); p.pass_(password)
n = p.stat()[0]
print(json.dumps({'sha': hashlib.sha256(body(p.retr(n)[1])).hexdigest()}))
p.quit()
`,
    )
    assert.equal(out.sha, sha256(stored.raw))
    const got = await run(
      'curl',
      ['-u', `${USER}:${PASSWORD}`, '-k', '-s', `pop3s://127.0.0.1:${srv.pop3sPort}/4`],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
    )
    assert.equal(sha256(got.stdout), sha256(stored.raw))
  })
})
