// The SMTP dispatch table: for every command the parser knows, which session states allow it
// and what it does. Transaction commands (MAIL, RCPT, DATA, BDAT) live in their own modules.
import type { SmtpCommand } from '../smtp/command.ts'
import {
  SmtpReplyError,
  C214Help,
  C220ServiceReady,
  C250Ok,
  C252CannotVerify,
  C454TlsNotAvailable,
  C502NotImplemented,
  C503BadSequence,
  Es200Other,
  Es551InvalidCommand,
  Es470Other,
  Es570Other,
} from '../smtp/codes.ts'
import { runEhlo, runHelo } from './commands/ehlo.ts'
import { runMail } from './commands/mail.ts'
import { runRcpt } from './commands/rcpt.ts'
import { runDataCommand, runBdatCommand } from './commands/data.ts'
import { runAuth } from './commands/auth.ts'
import type { SmtpSession } from './session.ts'

type Kind = SmtpCommand['kind']
type CommandOf<K extends Kind> = Extract<SmtpCommand, { kind: K }>

export interface CommandSpec<K extends Kind> {
  /** Throws an SmtpReplyError when the session is not in a state that allows the command. */
  check: (session: SmtpSession) => void
  run: (session: SmtpSession, command: CommandOf<K>) => Promise<void> | void
}

const anyState = (): void => undefined

/** RFC 5321 4.1.4: MAIL needs a greeting first. */
export function requireGreeting(session: SmtpSession): void {
  if (session.greeting.kind === 'none') {
    throw new SmtpReplyError(C503BadSequence, Es551InvalidCommand, 'send HELO or EHLO first')
  }
}

export const commandTable: { [K in Kind]: CommandSpec<K> } = {
  helo: { check: anyState, run: runHelo },
  ehlo: { check: anyState, run: runEhlo },
  mail: { check: requireGreeting, run: runMail },
  rcpt: { check: requireGreeting, run: runRcpt },
  data: { check: requireGreeting, run: runDataCommand },
  bdat: { check: anyState, run: runBdatCommand },
  rset: {
    check: anyState,
    run: (s) => {
      // RFC 5321 4.1.1.5: abort the transaction, keep the greeting.
      s.transaction = undefined
      s.reply(C250Ok, Es200Other, 'OK')
    },
  },
  noop: {
    check: anyState,
    run: (s) => {
      s.reply(C250Ok, Es200Other, 'OK')
    },
  },
  quit: {
    check: anyState,
    run: (s) => {
      s.reply(221, Es200Other, `${s.deps.settings.hostname} closing connection`)
      s.quit()
    },
  },
  vrfy: {
    check: anyState,
    // RFC 5321 3.5.3: 252 when the server will not say whether a user exists.
    run: (s) => {
      s.reply(C252CannotVerify, Es200Other, 'cannot VRFY user, but will accept message')
    },
  },
  expn: {
    check: anyState,
    run: () => {
      // RFC 5321 3.5.2: EXPN may be disabled; mailing lists are not disclosed.
      throw new SmtpReplyError(C502NotImplemented, Es570Other, 'EXPN is disabled')
    },
  },
  help: {
    check: anyState,
    run: (s) => {
      s.reply(C214Help, Es200Other, [
        'Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH',
        'See RFC 5321',
      ])
    },
  },
  starttls: {
    check: (s) => {
      if (s.isTls) throw new SmtpReplyError(C503BadSequence, Es551InvalidCommand, 'already TLS')
      if (!s.deps.tls) {
        throw new SmtpReplyError(C454TlsNotAvailable, Es470Other, 'TLS not available')
      }
    },
    run: (s) => {
      s.reply(C220ServiceReady, Es200Other, 'ready to start TLS')
      s.startTls()
    },
  },
  // The states AUTH allows depend on the role (RFC 4954 4); runAuth checks them.
  auth: { check: anyState, run: runAuth },
}
