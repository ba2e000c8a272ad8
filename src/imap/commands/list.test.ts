import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ProtocolBad } from '../errors.ts'
import { parseOne } from '../parse-wire.ts'
import type { ListArgs } from './list.ts'

function list(line: string, isUtf8Enabled = false): ListArgs {
  const cmd = parseOne(line, { isUtf8Enabled })
  assert.ok(cmd.name === 'list')
  return cmd.args
}

const noSel = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false }
const noRet = { subscribed: false, children: false, specialUse: false }

void describe('LIST (RFC 9051 6.3.9, RFC 5258, RFC 5819, RFC 6154)', () => {
  void it('basic LIST', () => {
    assert.deepEqual(list('a LIST "" *'), {
      reference: '',
      patterns: ['*'],
      selection: noSel,
      returns: noRet,
      isExtended: false,
    })
    assert.deepEqual(list('a LIST ~/Mail/ %').patterns, ['%'])
    assert.deepEqual(list('a LIST "" foo]%*').patterns, ['foo]%*'])
  })

  void it('selection options, multiple patterns and return options (RFC 5258 examples)', () => {
    const a = list('A04 LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (CHILDREN)')
    assert.deepEqual(a.selection, { ...noSel, subscribed: true, recursiveMatch: true })
    assert.deepEqual(a.returns, { ...noRet, children: true })
    assert.ok(a.isExtended)
    const b = list(
      'A05 LIST () "" ("INBOX" "Drafts" Sent/%) RETURN (SUBSCRIBED SPECIAL-USE STATUS (MESSAGES UNSEEN))',
    )
    assert.deepEqual(b.patterns, ['INBOX', 'Drafts', 'Sent/%'])
    assert.deepEqual(b.returns, {
      subscribed: true,
      children: false,
      specialUse: true,
      status: ['MESSAGES', 'UNSEEN'],
    })
    assert.deepEqual(list('a LIST (SPECIAL-USE) "" *').selection, { ...noSel, specialUse: true })
    assert.deepEqual(list('a LIST "" * RETURN ()').returns, noRet)
  })

  void it('patterns are decoded from modified UTF-7 unless UTF-8 is enabled', () => {
    assert.deepEqual(list('a LIST "" "&ZeVnLIqe-*"').patterns, ['日本語*'])
    assert.deepEqual(list('a LIST "" "日本語*"', true).patterns, ['日本語*'])
  })

  void it('LSUB', () => {
    const cmd = parseOne('a LSUB "#news." "comp.mail.*"')
    assert.ok(cmd.name === 'lsub')
    assert.deepEqual(cmd.args, { reference: '#news.', pattern: 'comp.mail.*' })
  })

  const bad = [
    'a LIST',
    'a LIST ""',
    'a LIST (BOGUS) "" *',
    'a LIST (RECURSIVEMATCH) "" *',
    'a LIST "" * RETURN',
    'a LIST "" * RETURN (BOGUS)',
    'a LIST "" * CHILDREN',
    'a LIST "" ()',
    'a LIST "" * RETURN (STATUS ())',
    'a LSUB ""',
  ]
  for (const line of bad) {
    void it(`bad: ${line}`, () => {
      assert.throws(() => parseOne(line), ProtocolBad)
    })
  }
})
