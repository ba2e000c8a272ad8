// Training from what users do over IMAP: a message copied or moved into the account's Junk
// mailbox (special-use \Junk, RFC 6154) is spam for that account; one moved out of Junk into
// another mailbox (Trash excepted: deleting spam says nothing) is ham; STORE +FLAGS $Junk /
// $NotJunk say the same (the keywords of RFC 5788's registry that clients such as Thunderbird
// and Apple Mail set). The account's Bayes statistics learn it (a message trained as the other
// class before is untrained from it first), and the sender's reputation counts a correction.
// Never fails the IMAP command: an error is logged and the command's answer stands.
import type { Store } from '../../store/types.ts'
import { logEvent } from '../../telemetry/events.ts'
import type { Logger } from '../../telemetry/logger.ts'
import type { SpamClass } from '../../store/types-spam-learning.ts'
import type { SenderReputation } from '../reputation/reputation.ts'
import { messageOrigin } from '../reputation/message-origin.ts'
import type { BayesClassifier } from './classifier.ts'

/** What the IMAP server tells the trainer (optional dependency of the IMAP session). */
export interface JunkTrainingHook {
  /** After a COPY or MOVE committed: the target mailbox's new UIDs. */
  onUserMove(input: {
    accountId: number
    sourceMailboxId: number
    targetMailboxId: number
    targetUids: readonly number[]
  }): Promise<void>
  /** After a STORE committed, with the flags it added (mode 'add' or 'replace'). */
  onUserFlags(input: {
    accountId: number
    mailboxId: number
    uids: readonly number[]
    flags: readonly string[]
  }): Promise<void>
}

export interface JunkTrainerOptions {
  store: Store
  classifier: BayesClassifier
  reputation?: SenderReputation
  logger: Logger
}

/** Messages trained per command at most (a user moving a whole folder trains its first ones). */
const MAX_PER_COMMAND = 200

export class JunkTrainer implements JunkTrainingHook {
  readonly #opts: JunkTrainerOptions

  constructor(opts: JunkTrainerOptions) {
    this.#opts = opts
  }

  async onUserMove(input: {
    accountId: number
    sourceMailboxId: number
    targetMailboxId: number
    targetUids: readonly number[]
  }): Promise<void> {
    try {
      const mailboxes = await this.#opts.store.mailboxes.list(input.accountId)
      const use = (id: number) => mailboxes.find((m) => m.id === id)?.specialUse ?? null
      const from = use(input.sourceMailboxId)
      const to = use(input.targetMailboxId)
      let cls: SpamClass | undefined
      if (to === '\\Junk' && from !== '\\Junk') cls = 'spam'
      else if (from === '\\Junk' && to !== '\\Junk' && to !== '\\Trash') cls = 'ham'
      if (cls === undefined) return
      await this.#train(input.accountId, input.targetMailboxId, input.targetUids, cls)
    } catch (err) {
      this.#opts.logger.warn({ err, accountId: input.accountId }, 'junk training failed')
    }
  }

  async onUserFlags(input: {
    accountId: number
    mailboxId: number
    uids: readonly number[]
    flags: readonly string[]
  }): Promise<void> {
    const lower = input.flags.map((f) => f.toLowerCase())
    const cls: SpamClass | undefined = lower.includes('$junk')
      ? 'spam'
      : lower.includes('$notjunk')
        ? 'ham'
        : undefined
    if (cls === undefined) return
    try {
      await this.#train(input.accountId, input.mailboxId, input.uids, cls)
    } catch (err) {
      this.#opts.logger.warn({ err, accountId: input.accountId }, 'junk training failed')
    }
  }

  async #train(
    accountId: number,
    mailboxId: number,
    uids: readonly number[],
    cls: SpamClass,
  ): Promise<void> {
    const { store, classifier, reputation } = this.#opts
    let trained = 0
    for (const uid of uids.slice(0, MAX_PER_COMMAND)) {
      const [row] = await store.messages.listRange(mailboxId, { from: uid, to: uid })
      if (row === undefined) continue
      const raw = await store.messages.body(row.blobId)
      if (raw === undefined) continue
      const outcome = await classifier.train({ raw, class: cls, scope: accountId })
      if (outcome === 'unchanged') continue
      trained++
      const origin = messageOrigin(raw)
      if (reputation !== undefined && origin.clientIp !== undefined) {
        await reputation.recordCorrection({
          clientIp: origin.clientIp,
          authDomain: origin.authDomain,
          spam: cls === 'spam',
        })
      }
    }
    if (trained > 0) {
      logEvent(this.#opts.logger, 'spam.trained', { accountId, class: cls, messages: trained })
    }
  }
}
