// Sends the DSNs the queue decides on (RFC 3464 reports composed by src/dsn/): with the null
// reverse-path (RFC 5321 4.5.5, so a DSN is never answered by another), From MAILER-DAEMON,
// delivered straight into the sender's mailbox when the sender is a local account (the router
// resolves it), else queued like any outbound message. RET=HDRS, or an original above
// queue.dsn_max_full_bytes, returns only the original's header (RFC 3461 4.3).
//
// A DSN about a message that needed SMTPUTF8 (the queue's flag), or with a non-ASCII address or
// header, takes the RFC 6533 form; when the original needed SMTPUTF8, so does its DSN. Each DSN is
// DKIM-signed for its From domain (MAILER-DAEMON@hostname) by the generated-mail signer, with
// the hostname's key or its closest local parent's (RFC 7489 3.1.1 relaxed alignment).

import { composeDsn, type DsnRecipientReport } from '../dsn/compose-dsn.ts'
import type { GeneratedMailSigner } from '../dkim-sign/generated-mail-signer.ts'
import type { Router } from '../delivery/router.ts'
import type { LocalDelivery, RemoteRecipient, Store } from '../store/types.ts'
import type { QueuedMessage } from '../store/types-outbound.ts'

export interface DsnSenderOptions {
  store: Pick<Store, 'accept'>
  router: Pick<Router, 'route'>
  /** Reporting-MTA and the From domain. */
  hostname: string
  maxFullBytes: number
  clock: () => number
  /** Called after a DSN was queued for a remote sender (wakes the scheduler). */
  onQueued?: () => void
  /** DKIM-signs the DSN for the hostname's domain; absent: sent unsigned. */
  signer?: Pick<GeneratedMailSigner, 'signGenerated'>
}

export type DsnSendResult = 'delivered-locally' | 'queued' | 'no-sender' | 'unknown-local-sender'

export class DsnSender {
  readonly #o: DsnSenderOptions

  constructor(opts: DsnSenderOptions) {
    this.#o = opts
  }

  /** Composes one report about `reports` and delivers or queues it, durably. */
  async send(input: {
    message: QueuedMessage
    original: Buffer
    reports: DsnRecipientReport[]
  }): Promise<DsnSendResult> {
    const { message } = input
    if (message.mailFrom === '' || input.reports.length === 0) return 'no-sender'
    const now = this.#o.clock()
    const isHeadersOnly = message.ret === 'HDRS' || input.original.length > this.#o.maxFullBytes
    const composed = composeDsn({
      reportingMta: this.#o.hostname,
      to: message.mailFrom,
      ...(message.envid === undefined ? {} : { envid: message.envid }),
      arrivalDate: message.createdAt,
      date: now,
      recipients: input.reports,
      original: input.original,
      returnContent: isHeadersOnly ? 'headers' : 'full',
      international: message.smtputf8, // RFC 6533 4
    })
    const route = await this.#o.router.route(message.mailFrom)
    let local: LocalDelivery[] = []
    let remote: RemoteRecipient[] = []
    // RFC 3461 4.1: a DSN is sent with NOTIFY=NEVER semantics (nothing reports on it).
    const never = { notify: ['NEVER' as const] }
    if (route.kind === 'local') {
      local = route.accounts.map((a) => ({ accountId: a.accountId, rcptTo: message.mailFrom }))
      remote = route.remote.map((address) => ({ address, dsn: never }))
    } else if (route.kind === 'unknown-local') {
      return 'unknown-local-sender'
    } else {
      remote = [{ address: message.mailFrom, dsn: never }]
    }
    // From: MAILER-DAEMON@<hostname> (compose-dsn.ts): its domain is the hostname.
    const raw =
      this.#o.signer === undefined
        ? composed
        : await this.#o.signer.signGenerated(composed, this.#o.hostname)
    await this.#o.store.accept({
      raw,
      receivedAt: now,
      mailFrom: '',
      local,
      remote,
      // RFC 6531 3.4: a DSN about SMTPUTF8 mail needs SMTPUTF8 from the next hop like it.
      ...(message.smtputf8 ? { smtputf8: true } : {}),
    })
    if (remote.length > 0) this.#o.onQueued?.()
    return remote.length > 0 ? 'queued' : 'delivered-locally'
  }
}
