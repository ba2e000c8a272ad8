import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildMessage, type SampleOptions } from '../sample-messages.ts'
import { messageFacts } from '../message-facts.ts'
import { imitatedBrand, phishingRules, securityWordsDomain } from './phishing.ts'

function rules(o: SampleOptions): string[] {
  return phishingRules(messageFacts(buildMessage(o))).map((h) => h.rule)
}

test('imitatedBrand: a brand name on a domain the brand does not own', () => {
  assert.equal(imitatedBrand('paypal-resolution-center.com'), 'paypal')
  assert.equal(imitatedBrand('amaz0n-support.com'), 'amazon')
  assert.equal(imitatedBrand('icloud-id-verify.net'), 'apple')
  assert.equal(imitatedBrand('secure.wellsfargo-alerts.info'), 'wells fargo')
  for (const own of [
    'email.apple.com',
    'amazon.co.jp',
    'm.media-amazon.com',
    'paypalobjects.com',
  ]) {
    assert.equal(imitatedBrand(own), undefined, own)
  }
  // Words that merely contain a short brand are not it ("purchase" is not "chase").
  assert.equal(imitatedBrand('purchase-orders.com'), undefined)
  assert.equal(imitatedBrand('groups.example.org'), undefined)
})

test('BRAND_LOOKALIKE_DOMAIN from the From domain or a link', () => {
  assert.ok(
    rules({
      from: 'Service <info@netflix-billing-update.info>',
      text: 'Your membership is on hold.',
    }).includes('BRAND_LOOKALIKE_DOMAIN'),
  )
  assert.ok(
    rules({
      text: 'Your parcel is waiting: https://dhl-parcel-tracking.info/pay',
    }).includes('BRAND_LOOKALIKE_DOMAIN'),
  )
  assert.deepEqual(
    rules({
      from: 'Apple <no_reply@email.apple.com>',
      text: 'Your receipt. Manage subscriptions: https://apps.apple.com/account/subscriptions',
    }),
    [],
  )
})

test('DOMAIN_SECURITY_WORDS: a hyphenated name of account words', () => {
  assert.equal(securityWordsDomain('login.chase-secure-verify.com'), 'chase-secure-verify.com')
  assert.equal(securityWordsDomain('mail-admin-portal.com'), 'mail-admin-portal.com')
  assert.equal(securityWordsDomain('accounts.google.com'), undefined)
  assert.equal(securityWordsDomain('security.example.org'), undefined)
  assert.ok(
    rules({ text: 'Review: https://intl-account-review.com/restore' }).includes(
      'DOMAIN_SECURITY_WORDS',
    ),
  )
  assert.deepEqual(rules({ text: 'Photos: https://drive.example.com/folders/trip' }), [])
})

test('ACCOUNT_THREAT_LINK: a threatened account and a link elsewhere', () => {
  const phish = rules({
    from: 'IT Helpdesk <helpdesk@corp-mail.example>',
    text: 'Your mailbox password expires today. Keep it: https://keep-pass.example.net/owa',
  })
  assert.ok(phish.includes('ACCOUNT_THREAT_LINK'))
  // A genuine notice links to its own site.
  assert.deepEqual(
    rules({
      from: 'GitLab <gitlab@mg.gitlab.example.com>',
      text: 'Reset your password: https://gitlab.example.com/users/password/edit?t=1 (the link expires in 24 hours)',
    }),
    [],
  )
  // Someone forwarding a phish to ask about it is not phishing.
  assert.deepEqual(
    rules({
      from: 'Greg <greg@home.example.net>',
      subject: 'Fwd: account suspended - is this real?',
      text: 'Is this real?\n\n---------- Forwarded message ---------\nYour account has been suspended. Verify: http://secure-bank-verify.com/login',
    }),
    [],
  )
})

test('a post to a discussion list may link to sites named after brands', () => {
  assert.deepEqual(
    rules({
      headers: ['List-Id: <ilug.linux.example.ie>'],
      text: 'Interesting read on the antitrust case: http://www.microsoft-watch.com/article/1234',
    }),
    [],
  )
  assert.ok(
    rules({ text: 'Interesting read: http://www.microsoft-watch.com/article/1234' }).includes(
      'BRAND_LOOKALIKE_DOMAIN',
    ),
  )
})
