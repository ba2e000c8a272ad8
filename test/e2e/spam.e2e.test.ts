// The spam verdict end to end on a spawned server: a message with strong spam traits lands in
// Junk (read over IMAP) with X-Spam-* headers, and `postern explain` and the admin API show
// its stored explanation; ordinary mail lands in INBOX marked "No"; GTUBE is refused with
// 550 5.7.1 at end of data, and its explanation is stored too.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  LOOPBACK_NETWORKS,
  runPostern,
  startPosternProcess,
  type PosternProcess,
} from '../harness/postern-process.ts'
import { SmtpClient } from '../harness/smtp-client.ts'
import { ImapClient } from '../harness/imap-client.ts'
import { buildMessage, gtubeMessage, personalMessage } from '../../src/spam/sample-messages.ts'

const USER = 'alice@example.test'
const PASSWORD = 'secret-alice'

/** Prize bait in a shouting subject, with a link that lies about where it goes. */
function junkMessage(): Buffer {
  return buildMessage({
    from: 'Lottery Office <notify@prize-centre.test>',
    to: USER,
    subject: 'YOU ARE A WINNER OF OUR DRAW!!!',
    text: 'Congratulations! You have won the lottery. Claim your prize at https://www.example.org/claim\r\n',
    html:
      '<p>Congratulations! You have won the lottery.</p>' +
      '<p>Claim your prize: <a href="http://claims.prize-centre.test/x">https://www.example.org/claim</a></p>',
  })
}

async function send(srv: PosternProcess, message: Buffer): Promise<{ code: number; text: string }> {
  const c = await SmtpClient.connect(srv.smtpPort)
  try {
    await c.transact(250, 'EHLO client.test')
    const reply = await c.sendMail('sender@client.test', [USER], message)
    return { code: reply.code, text: reply.lines.join('\n') }
  } finally {
    await c.quit()
  }
}

function queueId(text: string): string {
  const id = /queued as (\S+)/.exec(text)?.[1]
  assert.ok(id !== undefined, text)
  return id
}

async function headersIn(imap: ImapClient, mailbox: string): Promise<string[]> {
  await imap.ok(`SELECT ${mailbox}`)
  const res = await imap.command('FETCH 1:* (BODY.PEEK[HEADER])')
  assert.equal(res.status, 'OK', res.text)
  return res.untagged.map((u) => u.toString('utf8')).filter((u) => u.includes('FETCH'))
}

describe('spam verdict end to end', { timeout: 120_000 }, () => {
  let srv: PosternProcess
  before(async () => {
    srv = await startPosternProcess({
      domain: 'example.test',
      users: [{ address: USER, password: PASSWORD }],
      imap: true,
      imapPlaintextNetworks: LOOPBACK_NETWORKS,
      env: { POSTERN_AUTH_ENABLED: 'false' },
    })
  })
  after(async () => {
    await srv.cleanup()
  })

  let junkId = ''
  test('strong spam traits: 250, then found in Junk with X-Spam headers', async () => {
    const junk = await send(srv, junkMessage())
    assert.equal(junk.code, 250, junk.text)
    junkId = queueId(junk.text)
    const ham = await send(srv, personalMessage())
    assert.equal(ham.code, 250, ham.text)
    const imap = await ImapClient.connect(srv.imapPort)
    try {
      await imap.login(USER, PASSWORD)
      const inJunk = await headersIn(imap, 'Junk')
      assert.equal(inJunk.length, 1)
      assert.match(inJunk[0] ?? '', /X-Spam-Score: \d+\.\d/)
      assert.match(
        inJunk[0] ?? '',
        /X-Spam-Status: Yes, score=[\d.]+ required=5\.0 tests=\S*PHRASE_PRIZE/,
      )
      assert.match(inJunk[0] ?? '', new RegExp(`id ${junkId}`))
      const inInbox = await headersIn(imap, 'INBOX')
      assert.equal(inInbox.length, 1)
      assert.match(inInbox[0] ?? '', /X-Spam-Status: No, score=/)
    } finally {
      await imap.command('LOGOUT')
    }
  })

  test('postern explain prints the stored explanation, by queue id and by Message-ID', async () => {
    const r = await runPostern(['explain', junkId, '--data', srv.dataDir])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`Queue id:\\s+${junkId}`))
    assert.match(r.stdout, /Action:\s+junk - delivered to Junk/)
    assert.match(r.stdout, /PHRASE_PRIZE\s+prize or lottery bait/)
    assert.match(
      r.stdout,
      /URL_ANCHOR_MISMATCH\s+a link shows www\.example\.org but goes to claims\.prize-centre\.test/,
    )
    const messageId = /Message-ID:\s+(<[^>]+>)/.exec(r.stdout)?.[1] ?? ''
    const byId = await runPostern(['explain', messageId, '--data', srv.dataDir, '--json'])
    assert.equal(byId.code, 0, byId.stderr)
    const parsed = JSON.parse(byId.stdout) as { queueId: string; action: string }[]
    assert.equal(parsed[0]?.queueId, junkId)
    const missing = await runPostern(['explain', 'no-such-id', '--data', srv.dataDir])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /no spam explanation stored for no-such-id/)
  })

  test('the admin API serves the explanation as JSON', async () => {
    const res = await fetch(`http://127.0.0.1:${srv.httpPort}/api/messages/${junkId}/explanation`)
    assert.equal(res.status, 200)
    const body = (await res.json()) as { explanations: { action: string; score: number }[] }
    assert.equal(body.explanations[0]?.action, 'junk')
    const none = await fetch(`http://127.0.0.1:${srv.httpPort}/api/messages/nope/explanation`)
    assert.equal(none.status, 404)
  })

  test('GTUBE is refused with 550 5.7.1 at end of data, and explained', async () => {
    const r = await send(srv, gtubeMessage())
    assert.equal(r.code, 550, r.text)
    assert.match(r.text, /5\.7\.1 Message refused as spam \(score 1000\.0, id (\S+)\): GTUBE/)
    const id = /id ([^)\s]+)\)/.exec(r.text)?.[1] ?? ''
    const explained = await runPostern(['explain', id, '--data', srv.dataDir])
    assert.match(explained.stdout, /Action:\s+reject - refused at end of data/)
  })
})
