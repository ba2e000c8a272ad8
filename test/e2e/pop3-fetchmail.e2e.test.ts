// fetchmail (Debian package) against the spawned server, 200 messages: a --keep run fetches
// them all and leaves them, a second --keep run finds none new (UIDL), a run without --keep
// over pop3s fetches and deletes them, and a last run finds an empty maildrop.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { readMailbox } from '../harness/store-reader.ts'
import { deliverOverSmtp, pop3TestMessage } from '../harness/pop3-mail.ts'

const USER = 'user@example.test'
const PASSWORD = 'fetchmail-password'
const COUNT = 200

interface FetchmailRun {
  code: number
  output: string
}

/** fetchmail exit codes: 0 mail was fetched, 1 there was no mail. */
function fetchmail(opts: { home: string; args: string[] }): Promise<FetchmailRun> {
  return new Promise((resolve) => {
    execFile(
      'fetchmail',
      ['-f', join(opts.home, 'fetchmailrc'), '-i', join(opts.home, 'fetchids'), ...opts.args],
      { env: { ...process.env, HOME: opts.home }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
        resolve({ code, output: `${stdout}${stderr}` })
      },
    )
  })
}

async function writeRc(opts: { home: string; port: number; isTls: boolean; out: string }) {
  const file = join(opts.home, 'fetchmailrc')
  const tls = opts.isTls ? 'ssl no sslcertck' : 'sslproto ""'
  await writeFile(
    file,
    [
      'set no syslog',
      `poll 127.0.0.1 with proto POP3 port ${opts.port} uidl and options no dns`,
      `  user "${USER}" there with password "${PASSWORD}" is "${process.env.USER ?? 'root'}" here`,
      `  options ${tls}`,
      `  mda "/bin/sh -c 'cat > ${opts.out}/m-$$'"`,
      '',
    ].join('\n'),
  )
  await chmod(file, 0o600)
}

describe('POP3 with fetchmail', { timeout: 300_000 }, () => {
  let srv: PosternProcess
  let home: string

  before(async () => {
    srv = await startPosternProcess({
      users: [{ address: USER, password: PASSWORD }],
      pop3: true,
      pop3PlaintextNetworks: ['127.0.0.0/8'],
    })
    home = await mkdtemp(join(tmpdir(), 'postern-fetchmail-'))
    const messages = Array.from({ length: COUNT }, (_, i) => pop3TestMessage(`f${i}`, 3000))
    await deliverOverSmtp({ smtpPort: srv.smtpPort, to: USER, messages })
  })
  after(async () => {
    await srv.cleanup()
    await rm(home, { recursive: true, force: true })
  })

  it('--keep fetches all 200 and a second run finds none new; without --keep they go', async () => {
    const keepOut = join(home, 'keep')
    await mkdir(keepOut)
    await writeRc({ home, port: srv.pop3Port, isTls: false, out: keepOut })
    const first = await fetchmail({ home, args: ['--keep'] })
    assert.equal(first.code, 0, first.output)
    assert.equal((await readdir(keepOut)).length, COUNT, first.output)
    assert.equal(readMailbox(srv.dataDir, USER).messages.length, COUNT, 'kept on the server')

    const second = await fetchmail({ home, args: ['--keep'] })
    assert.equal(second.code, 1, `no new mail expected:\n${second.output}`)
    assert.equal((await readdir(keepOut)).length, COUNT)

    // Without --keep, over pop3s, with no memory of earlier runs: fetch and delete.
    const flushOut = join(home, 'flush')
    await mkdir(flushOut)
    await rm(join(home, 'fetchids'), { force: true })
    await writeRc({ home, port: srv.pop3sPort, isTls: true, out: flushOut })
    const third = await fetchmail({ home, args: [] })
    assert.equal(third.code, 0, third.output)
    assert.equal((await readdir(flushOut)).length, COUNT, third.output)
    assert.equal(readMailbox(srv.dataDir, USER).messages.length, 0, 'deleted at QUIT')

    const fourth = await fetchmail({ home, args: [] })
    assert.equal(fourth.code, 1, `empty maildrop expected:\n${fourth.output}`)
  })
})
