// End-to-end tests of the `postern` command: spawns the real CLI on temp data directories and
// checks output, exit codes and what landed in the store.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { verifyPassword } from '../auth/password.ts'
import { loadConfig } from '../config/load.ts'
import { openStore } from '../store/open-store.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const nodeBin = path.join(root, 'node_modules', '.bin', 'node')
const mainTs = path.join(root, 'src', 'cli', 'main.ts')

interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

function run(
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env = { ...cleanEnv(), ...opts.env }
    const child = spawn(nodeBin, [mainTs, ...args], { cwd: root, env })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(opts.input ?? '')
  })
}

/** The environment without POSTERN_* variables, which would change or break the config. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('POSTERN_')))
}

function tempData(t: { after: (fn: () => void) => void }): string {
  const parent = mkdtempSync(path.join(tmpdir(), 'postern-cli-'))
  t.after(() => {
    rmSync(parent, { recursive: true, force: true })
  })
  return path.join(parent, 'data')
}

void test('init prints DNS records; a second init fails with exit 1', async (t) => {
  const data = tempData(t)
  const first = await run(['init', '--data', data, '--domain', 'example.com'])
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stdout, /^example\.com\.\s+IN MX 10 mail\.example\.com\.$/m)
  assert.match(first.stdout, /postern-rsa\._domainkey\.example\.com\./)
  const second = await run(['init', '--data', data, '--domain', 'example.com'])
  assert.equal(second.code, 1)
  assert.match(second.stderr, /^postern: .*already exists; refusing to overwrite/)
  assert.equal(second.stderr.trim().split('\n').length, 1)
})

void test('domain add, list, remove (POSTERN_DATA picks the directory)', async (t) => {
  const data = tempData(t)
  assert.equal((await run(['init', '--data', data, '--domain', 'example.com'])).code, 0)
  const env = { POSTERN_DATA: data }
  const added = await run(['domain', 'add', 'Example.NET'], { env })
  assert.equal(added.code, 0)
  // DKIM keys like init's, and the records to publish for them.
  assert.match(
    added.stdout,
    /^postern-rsa\._domainkey\.example\.net\.\tIN TXT "v=DKIM1; k=rsa; p=/m,
  )
  assert.match(
    added.stdout,
    /^postern-ed25519\._domainkey\.example\.net\.\tIN TXT "v=DKIM1; k=ed25519/m,
  )
  for (const algo of ['rsa', 'ed25519']) {
    assert.ok(existsSync(path.join(data, 'dkim', `example.net.postern.${algo}.pem`)))
  }
  const list = await run(['domain', 'list'], { env })
  assert.deepEqual(list.stdout.trim().split('\n').sort(), ['example.com', 'example.net'])
  assert.equal((await run(['domain', 'remove', 'example.net', '--data', data])).code, 0)
  assert.equal((await run(['domain', 'list', '--data', data])).stdout, 'example.com\n')
  const missing = await run(['domain', 'remove', 'nope.org', '--data', data])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /no such domain: nope\.org/)
})

void test('account add --password-stdin stores a hash that verifies; passwd changes it', async (t) => {
  const data = tempData(t)
  assert.equal((await run(['init', '--data', data, '--domain', 'example.com'])).code, 0)
  const added = await run(
    ['account', 'add', 'bob@example.com', '--password-stdin', '--data', data],
    {
      input: 'correct horse\n',
    },
  )
  assert.equal(added.code, 0, added.stderr)
  assert.doesNotMatch(added.stdout, /password/)
  assert.equal(await storedPasswordMatches(data, 'bob@example.com', 'correct horse'), true)
  assert.equal(await storedPasswordMatches(data, 'bob@example.com', 'correct horse\n'), false)

  const passwd = await run(
    ['account', 'passwd', 'bob@example.com', '--password-stdin', '--data', data],
    {
      input: 'battery staple\r\n',
    },
  )
  assert.equal(passwd.code, 0, passwd.stderr)
  assert.equal(await storedPasswordMatches(data, 'bob@example.com', 'battery staple'), true)

  const generated = await run(['account', 'add', 'al@example.com', '--data', data])
  assert.equal(generated.code, 0, generated.stderr)
  const password = /password \(shown once\): (\S+)/.exec(generated.stdout)?.[1]
  assert.ok(password !== undefined && password.length === 20, generated.stdout)
  assert.equal(await storedPasswordMatches(data, 'al@example.com', password), true)

  const quota = await run(['account', 'quota', 'bob@example.com', '2M', '--data', data])
  assert.equal(quota.code, 0, quota.stderr)
  assert.equal(quota.stdout, 'quota of bob@example.com: 2097152 bytes\n')
  const badQuota = await run(['account', 'quota', 'bob@example.com', 'lots', '--data', data])
  assert.equal(badQuota.code, 1)
  assert.match(badQuota.stderr, /not a size: lots/)

  const list = await run(['account', 'list', '--data', data])
  assert.deepEqual(list.stdout.trim().split('\n').sort(), ['al@example.com', 'bob@example.com'])
  assert.equal((await run(['account', 'remove', 'al@example.com', '--data', data])).code, 0)
  assert.equal((await run(['account', 'list', '--data', data])).stdout, 'bob@example.com\n')
})

void test('alias add @domain catch-all to local and remote targets; list; remove', async (t) => {
  const data = tempData(t)
  assert.equal((await run(['init', '--data', data, '--domain', 'example.com'])).code, 0)
  const added = await run([
    'alias',
    'add',
    '@example.com',
    'bob@example.com',
    'x@remote.example',
    '--data',
    data,
  ])
  assert.equal(added.code, 0, added.stderr)
  const list = await run(['alias', 'list', '--data', data])
  assert.equal(list.stdout, '@example.com -> bob@example.com, x@remote.example\n')
  const foreign = await run(['alias', 'add', 'a@elsewhere.org', 'bob@example.com', '--data', data])
  assert.equal(foreign.code, 1)
  assert.match(foreign.stderr, /not a local domain/)
  assert.equal((await run(['alias', 'remove', '@example.com', '--data', data])).code, 0)
  assert.equal((await run(['alias', 'list', '--data', data])).stdout, '')
})

void test('errors: usage exits 2, runtime errors exit 1 with one line on stderr', async (t) => {
  const data = tempData(t)
  assert.equal((await run(['frobnicate'])).code, 2)
  assert.equal((await run(['init', '--data', data])).code, 2) // --domain missing
  assert.equal((await run(['alias', 'add', '@example.com', '--data', data])).code, 2)
  const noDir = await run(['domain', 'list', '--data', data])
  assert.equal(noDir.code, 1)
  assert.match(
    noDir.stderr,
    /^postern: no data directory at .* \(create one with: postern init\)\n$/,
  )
  assert.equal((await run(['init', '--data', data, '--domain', 'example.com'])).code, 0)
  const badAddress = await run(['account', 'add', 'nobody', '--data', data], { input: 'pw\n' })
  assert.equal(badAddress.code, 1)
  assert.match(badAddress.stderr, /not an email address: nobody/)
  const badEnv = await run(['domain', 'list', '--data', data], {
    env: { POSTERN_SMTP_MAX_EROR: '3' },
  })
  assert.equal(badEnv.code, 1)
  assert.match(
    badEnv.stderr,
    /POSTERN_SMTP_MAX_EROR: not a configuration key \(did you mean POSTERN_SMTP_MAX_ERRORS\?\)/,
  )
  const emptyPassword = await run(
    ['account', 'add', 'c@example.com', '--password-stdin', '--data', data],
    {
      input: '\n',
    },
  )
  assert.equal(emptyPassword.code, 1)
  assert.match(emptyPassword.stderr, /no password on stdin/)
})

void test('serve with an invalid config exits 1 at once, naming the key', async (t) => {
  const data = tempData(t)
  const result = await run(['serve', '--data', data], { env: { POSTERN_LISTEN_SMTP: 'nonsense' } })
  assert.equal(result.code, 1)
  assert.match(result.stderr, /listen\.smtp \(from POSTERN_LISTEN_SMTP\): must be "host:port"/)
})

async function storedPasswordMatches(
  data: string,
  address: string,
  password: string,
): Promise<boolean> {
  const config = loadConfig({ dataDir: data, env: {} })
  const store = openStore({ path: config.store.path })
  try {
    const account = await store.accounts.get(address)
    assert.ok(account, `account ${address} exists`)
    return await verifyPassword(password, account.passwordHash)
  } finally {
    await store.close()
  }
}
