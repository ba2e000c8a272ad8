// Tests for loadConfig and resolveDataDir: defaults, file values, env overrides, and the
// error messages for unknown keys, wrong types, TOML syntax errors and unknown env variables.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigError, loadConfig, resolveDataDir } from './load.ts'

function withDir(toml: string | undefined, fn: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'postern-config-'))
  try {
    if (toml !== undefined) writeFileSync(path.join(dir, 'postern.toml'), toml)
    fn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`)
    return err
  }
  assert.fail('expected a ConfigError')
}

void test('resolveDataDir: flag, then POSTERN_DATA, then ./data, always absolute', () => {
  assert.equal(resolveDataDir('/x/y', { POSTERN_DATA: '/z' }), '/x/y')
  assert.equal(resolveDataDir(undefined, { POSTERN_DATA: '/z' }), '/z')
  assert.equal(resolveDataDir(undefined, {}), path.resolve('data'))
  assert.equal(resolveDataDir('rel', {}), path.resolve('rel'))
})

void test('no file: defaults, with data paths resolved against the data dir', () => {
  withDir(undefined, (dir) => {
    const config = loadConfig({ dataDir: dir, env: {} })
    assert.equal(config.listen.smtp, '127.0.0.1:2525')
    assert.equal(config.smtp.max_line_bytes, 4096)
    assert.equal(config.store.path, path.join(dir, 'postern.db'))
    assert.equal(config.tls.cert, path.join(dir, 'tls/cert.pem'))
    assert.equal(config.tls.key, path.join(dir, 'tls/key.pem'))
  })
})

void test('file values are read; absolute paths kept', () => {
  const toml =
    'hostname = "mx.example.com"\n[smtp]\nmax_recipients = 7\n[store]\npath = "/var/p.db"\n'
  withDir(toml, (dir) => {
    const config = loadConfig({ dataDir: dir, env: {} })
    assert.equal(config.hostname, 'mx.example.com')
    assert.equal(config.smtp.max_recipients, 7)
    assert.equal(config.store.path, '/var/p.db')
  })
})

void test('env overrides win over the file: strings, numbers, arrays', () => {
  withDir('[smtp]\nmax_message_bytes = 2048\n', (dir) => {
    const config = loadConfig({
      dataDir: dir,
      env: {
        POSTERN_LISTEN_SMTP: '127.0.0.1:0',
        POSTERN_SMTP_MAX_MESSAGE_BYTES: '4096',
        POSTERN_HOSTNAME: 'env.example',
        POSTERN_LOG_LEVEL: 'warn',
        POSTERN_SMTP_TRUSTED_NETWORKS: '10.0.0.0/8, 192.0.2.0/24',
        POSTERN_DATA: '/ignored/here',
        PATH: '/bin',
      },
    })
    assert.equal(config.listen.smtp, '127.0.0.1:0')
    assert.equal(config.smtp.max_message_bytes, 4096)
    assert.equal(config.hostname, 'env.example')
    assert.equal(config.log.level, 'warn')
    assert.deepEqual(config.smtp.trusted_networks, ['10.0.0.0/8', '192.0.2.0/24'])
  })
})

void test('unknown keys are listed with the file name and the closest known key', () => {
  withDir(
    '[listen]\nsmpt = "127.0.0.1:25"\n[smtp]\nmax_line_byte = 1000\nzzz = 1\n[lgo]\n',
    (dir) => {
      const err = configError(() => loadConfig({ dataDir: dir, env: {} }))
      assert.match(err.message, /postern\.toml/)
      assert.match(
        err.message,
        /listen\.smpt: unknown key in postern\.toml \(did you mean listen\.smtp\?\)/,
      )
      assert.match(
        err.message,
        /smtp\.max_line_byte: unknown key .*did you mean smtp\.max_line_bytes\?/,
      )
      assert.match(err.message, /smtp\.zzz: unknown key in postern\.toml$/m)
      assert.match(err.message, /lgo: unknown key .*did you mean log\?/)
      assert.equal(err.problems.length, 4)
    },
  )
})

void test('wrong types say expected vs got, and every bad key is reported at once', () => {
  withDir('hostname = 5\n[smtp]\nmax_line_bytes = "big"\nmax_recipients = 0\n', (dir) => {
    const err = configError(() => loadConfig({ dataDir: dir, env: {} }))
    assert.match(err.message, /hostname: expected string, got number 5/)
    assert.match(err.message, /smtp\.max_line_bytes: expected number, got string "big"/)
    assert.match(err.message, /smtp\.max_recipients: /)
    assert.equal(err.problems.length, 3)
  })
})

void test('TOML syntax errors give line and column', () => {
  withDir('hostname = "a"\n[smtp\nmax_errors = 3\n', (dir) => {
    const err = configError(() => loadConfig({ dataDir: dir, env: {} }))
    assert.match(err.message, /TOML syntax error at line 2, column \d+/)
  })
})

void test('bad env values and unknown POSTERN_ variables are errors', () => {
  withDir(undefined, (dir) => {
    const err = configError(() =>
      loadConfig({
        dataDir: dir,
        env: {
          POSTERN_SMTP_MAX_ERRORS: 'lots',
          POSTERN_LISTEN_SMTPP: '127.0.0.1:1',
          POSTERN_LISTEN_HTTP: 'nonsense',
        },
      }),
    )
    assert.match(
      err.message,
      /POSTERN_SMTP_MAX_ERRORS \(smtp\.max_errors\): expected a number, got "lots"/,
    )
    assert.match(
      err.message,
      /POSTERN_LISTEN_SMTPP: not a configuration key \(did you mean POSTERN_LISTEN_SMTP\?\)/,
    )
    assert.match(err.message, /listen\.http \(from POSTERN_LISTEN_HTTP\): must be "host:port"/)
  })
})
