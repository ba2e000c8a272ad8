import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { formatAddrSpec, parseAddressList, type AddressListEntry } from './address-list.ts'

function brief(entries: AddressListEntry[]): string[] {
  const mb = (m: {
    name: string | null
    localPart: string | null
    domain: string | null
  }): string => `${m.name ?? ''}<${m.localPart ?? ''}@${m.domain ?? ''}>`
  return entries.map((e) =>
    e.kind === 'mailbox' ? mb(e.mailbox) : `${e.name}:${e.members.map(mb).join(',')};`,
  )
}

test('RFC 5322 appendix A examples', () => {
  assert.deepEqual(brief(parseAddressList('"Joe Q. Public" <john.q.public@example.com>')), [
    'Joe Q. Public<john.q.public@example.com>',
  ])
  assert.deepEqual(
    brief(parseAddressList('Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>')),
    ['Mary Smith<mary@x.test>', '<jdoe@example.org>', 'Who?<one@y.test>'],
  )
  assert.deepEqual(
    brief(parseAddressList('<boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>')),
    ['<boss@nil.test>', 'Giant; "Big" Box<sysservices@example.net>'],
  )
  // A.1.3 groups, A.5 comments and white space.
  assert.deepEqual(
    brief(parseAddressList('A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;')),
    ['A Group:Ed Jones<c@a.test>,<joe@where.test>,John<jdoe@one.test>;'],
  )
  assert.deepEqual(brief(parseAddressList('Undisclosed recipients:;')), [
    'Undisclosed recipients:;',
  ])
  assert.deepEqual(
    brief(parseAddressList('Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>')),
    ['Pete<pete@silly.test>'],
  )
  assert.deepEqual(
    brief(parseAddressList('(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;')),
    ['Hidden recipients:;'],
  )
})

test('obsolete forms (RFC 5322 4.4): routes, empty members, spaced dots', () => {
  const [first, second] = parseAddressList(
    'Mary Smith <@node.test,@x.test:mary@example.net>, , jdoe@test  . example',
  )
  assert.equal(first?.kind === 'mailbox' && first.mailbox.route, '@node.test,@x.test')
  assert.equal(second?.kind === 'mailbox' && formatAddrSpec(second.mailbox), 'jdoe@test.example')
})

test('encoded words in display names are decoded beside the raw form (RFC 2047 5)', () => {
  const [e] = parseAddressList('=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>')
  assert.ok(e?.kind === 'mailbox')
  assert.equal(e.mailbox.name, '=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=')
  assert.equal(e.mailbox.nameDecoded, 'Keld Jørn Simonsen')
  const [c] = parseAddressList('jdoe@example.org (John Doe)')
  assert.equal(c?.kind === 'mailbox' && c.mailbox.name, 'John Doe') // comment as name (Dovecot)
  const [u] = parseAddressList('"Jörg" <jörg@bücher.example>') // RFC 6532
  assert.equal(u?.kind === 'mailbox' && formatAddrSpec(u.mailbox), 'jörg@bücher.example')
  assert.equal(
    formatAddrSpec({ name: null, nameDecoded: null, route: null, localPart: 'a b', domain: 'x' }),
    '"a b"@x',
  )
})

test('property: the address parser never throws and keeps members of groups', () => {
  const piece = fc.oneof(
    fc.constantFrom('<', '>', '@', ',', ';', ':', '"', '(', ')', '\\', '.', '[', ']', ' ', '=?'),
    fc.string({ maxLength: 6 }),
  )
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
      const out = parseAddressList(parts.join(''))
      for (const e of out) if (e.kind === 'group') assert.ok(Array.isArray(e.members))
    }),
    { numRuns: 2000 },
  )
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      parseAddressList(s)
    }),
  )
})
