// OpenSMTPD's smtpscript regression cases (../shared/conformance/opensmtpd-smtpscript,
// read in place) run against Postern. Every case must pass, except those listed in
// KNOWN_DIFFERENCES: deliberate, documented policy choices (listed with reasons in README.md, "Conformance").
// A listed case must still differ, so the list stays true.
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { REPO_ROOT, startPosternProcess, type PosternProcess } from '../harness/postern-process.ts'
import { loadScript, runCase } from '../harness/smtpscript.ts'

const SCRIPTS_DIR = resolve(REPO_ROOT, '../shared/conformance/opensmtpd-smtpscript')

/** `file#index` (0-based test-case index in the file) → why Postern answers differently. */
export const KNOWN_DIFFERENCES: Record<string, string> = {
  'test.base#2':
    'runner self-test, not an SMTP check: the case is `fail "ahaha! I failed"` and fails by design',
  'test.mailfrom#1':
    'MAIL FROM:<@> is refused with 501 5.1.7: RFC 5321 4.1.2 allows only <> or a Path as the ' +
    'reverse-path; OpenSMTPD reads <@> as the null sender',
  'test.mailfrom#5':
    'MAIL FROM:<whatever:a@a> is refused with 501 5.1.7: "whatever:" is not an RFC 5321 source ' +
    'route (A-d-l is "@domain,...:"), so ":" makes the local part invalid; OpenSMTPD strips ' +
    'everything before the colon',
  'test.rcptto#5':
    'RCPT TO:<whatever:a@a> is refused with 501 5.1.3 for the same syntax reason; even once ' +
    'stripped, a@a is not a local domain and an unauthenticated client gets 554 5.7.1 (no relaying)',
  'test.smtp2#0':
    'the command that reaches the error limit gets its 5xx reply and then 421 4.7.0 before the ' +
    'server closes (RFC 5321 3.8: a server that closes should send 421 first); OpenSMTPD closes ' +
    'silently and smtpscript fails `expect disconnect` on any data',
  'test.smtp2#2':
    'the script sends 100 messages to test@foo.bar from an unauthenticated client; Postern is ' +
    'never an open relay and answers 554 5.7.1 at RCPT (OpenSMTPD regress ran with a relay rule)',
}

const USERS = ['gilles@localhost', 'test@localhost', 'root@localhost']

describe('OpenSMTPD smtpscript regression cases', { timeout: 300_000 }, () => {
  let srv: PosternProcess
  before(async () => {
    srv = await startPosternProcess({
      domain: 'localhost',
      hostname: 'mx.localhost',
      users: USERS.map((address) => ({ address, password: 'pw-' + address })),
      // test.smtp2 expects 1000 recipients per message and a disconnect on the 5th error.
      env: { POSTERN_SMTP_MAX_RECIPIENTS: '1000', POSTERN_SMTP_MAX_ERRORS: '5' },
    })
  })
  after(async () => {
    await srv.cleanup()
  })

  const files = readdirSync(SCRIPTS_DIR)
    .filter((f) => f.startsWith('test.'))
    .sort()
  test('all script files parse (76 cases)', () => {
    const total = files.reduce((n, f) => n + loadScript(join(SCRIPTS_DIR, f)).cases.length, 0)
    assert.equal(total, 76)
  })

  for (const file of files) {
    const script = loadScript(join(SCRIPTS_DIR, file))
    for (const tc of script.cases) {
      const key = `${file}#${tc.index}`
      const known = KNOWN_DIFFERENCES[key]
      test(`${key} ${tc.name}${known === undefined ? '' : ' (known difference)'}`, async (t) => {
        const r = await runCase(script, tc, { port: srv.smtpPort })
        t.diagnostic(`${r.result}${r.reason === '' ? '' : ': ' + r.reason}`)
        const detail = `${r.result}: ${r.reason}\n${r.transcript.join('\n')}`
        if (tc.skip) {
          assert.equal(r.result, 'skip')
        } else if (known !== undefined) {
          assert.notEqual(r.result, 'pass', `listed as a known difference but passes now: ${key}`)
          t.diagnostic(`known difference: ${known}`)
        } else {
          assert.equal(r.result, 'pass', detail)
        }
      })
    }
  }
})
