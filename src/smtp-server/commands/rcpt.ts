// RCPT TO (RFC 5321 4.1.1.3): each recipient is checked at once. A local address that no
// account or alias answers to gets 550 5.1.1; a non-local domain is refused with 554 5.7.1
// unless the client may relay: authenticated on submission, or in a trusted network (never an
// open relay). NOTIFY and ORCPT (RFC 3461) are kept.
import type { SmtpCommand } from '../../smtp/command.ts'
import {
  SmtpReplyError,
  C250Ok,
  C452InsufficientStorage,
  C503BadSequence,
  C550MailboxUnavailable,
  C554TransactionFailed,
  Es215DestValid,
  Es453TooManyRecipients,
  Es511BadDestMailbox,
  Es551InvalidCommand,
  Es571DeliveryNotAuthorized,
} from '../../smtp/codes.ts'
import type { DsnRecipient } from '../../store/types.ts'
import type { SmtpSession } from '../session.ts'
import type { RcptCheckInput } from '../rcpt-checks.ts'

type Rcpt = Extract<SmtpCommand, { kind: 'rcpt' }>

export async function runRcpt(session: SmtpSession, command: Rcpt): Promise<void> {
  const txn = session.transaction
  if (!txn) throw new SmtpReplyError(C503BadSequence, Es551InvalidCommand, 'need MAIL first')
  const { settings, router, logger } = session.deps
  // RFC 5321 4.5.3.1.10: too many recipients is a 452, the client sends the rest later.
  if (txn.rcpts.length >= settings.maxRecipients) {
    throw new SmtpReplyError(C452InsufficientStorage, Es453TooManyRecipients, 'too many recipients')
  }
  const address = await recipientAddress(session, command.to)
  const route = await router.route(address)
  switch (route.kind) {
    case 'unknown-local':
      logger.info({ event: 'smtp.rcpt-rejected', rcpt: address, ...session.logFields() })
      throw new SmtpReplyError(
        C550MailboxUnavailable,
        Es511BadDestMailbox,
        `<${address}>: no such user here`,
      )
    case 'not-local': {
      // Authenticated submission relays (RFC 6409 4.3); so do trusted networks.
      const mayRelay =
        session.authenticated !== undefined || settings.isTrustedClient(session.conn.remoteAddress)
      if (!mayRelay) {
        logger.info({ event: 'smtp.relay-denied', rcpt: address, ...session.logFields() })
        throw new SmtpReplyError(
          C554TransactionFailed,
          Es571DeliveryNotAuthorized,
          `<${address}>: relay access denied`,
        )
      }
      await runChecks({ session, address, destination: 'remote' })
      txn.rcpts.push({
        address,
        params: command.params,
        dsn: dsnOf(command),
        accounts: [],
        remote: [address],
      })
      break
    }
    case 'local':
      await runChecks({ session, address, destination: 'local' })
      txn.rcpts.push({
        address,
        params: command.params,
        dsn: dsnOf(command),
        accounts: route.accounts,
        remote: route.remote,
      })
      break
  }
  session.reply(C250Ok, Es215DestValid, 'recipient OK')
}

async function runChecks(input: RcptCheckInput): Promise<void> {
  for (const check of input.session.deps.rcptChecks ?? []) await check(input)
}

/** RFC 5321 4.1.1.3: "Postmaster" without a domain means this server's postmaster. */
async function recipientAddress(session: SmtpSession, to: Rcpt['to']): Promise<string> {
  if (to.kind === 'mailbox') return to.address
  const { hostname } = session.deps.settings
  if (await session.deps.router.isLocalDomain(hostname)) return `postmaster@${hostname}`
  const [first] = await session.deps.store.domains.list()
  return `postmaster@${first?.name ?? hostname}`
}

function dsnOf(command: Rcpt): DsnRecipient {
  const dsn: DsnRecipient = {}
  const { notify, orcpt } = command.params
  if (notify) dsn.notify = notify
  if (orcpt) dsn.orcpt = `${orcpt.type};${orcpt.value}`
  return dsn
}
