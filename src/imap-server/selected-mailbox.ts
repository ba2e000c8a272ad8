// The selected mailbox as one session sees it (RFC 9051 2.3.1.2): the message sequence
// number map (seq n is uids[n-1]) and the changes committed by others (and by this session)
// that the client has not been told yet. Changes arrive from the store's change feed at any
// time and are queued; the session sends them only at allowed moments (RFC 9051 7.4.1, 5.5):
// new messages (EXISTS) and flag changes (FETCH) after any command, expunges (EXPUNGE, or
// VANISHED with QRESYNC, RFC 7162 3.2.10) never during FETCH, STORE or SEARCH, because the
// client relies on message numbers staying put.
import type { MailboxChange } from '../store/types.ts'
import { resolveSequenceSet, type SequenceSet } from '../imap/sequence-set.ts'

export interface FlagUpdate {
  uid: number
  flags: string[]
  modseq: number
}

/** What to tell the client, in order: expunges, then the new size, then flag changes. */
export interface PendingUpdates {
  /** Expunged messages: their sequence number at the moment each is reported, and UID. */
  expunged: { seq: number; uid: number }[]
  /** The new message count when messages arrived; undefined when none did. */
  exists: number | undefined
  /** Flag changes of messages still in the view, with their current sequence number. */
  flags: (FlagUpdate & { seq: number })[]
}

export class SelectedMailbox {
  readonly id: number
  readonly name: string
  readonly uidValidity: number
  /** seq n is uids[n - 1]; ascending. */
  #uids: number[]
  #newUids: number[] = []
  #expunged = new Set<number>()
  #flags = new Map<number, FlagUpdate>()
  /** Highest MODSEQ this session has seen reported (HIGHESTMODSEQ hints). */
  highestModseq: number
  /** Called when a change was queued (an IDLE session sends it at once). */
  onQueued: (() => void) | undefined

  constructor(opts: {
    id: number
    name: string
    uidValidity: number
    uids: number[]
    highestModseq: number
  }) {
    this.id = opts.id
    this.name = opts.name
    this.uidValidity = opts.uidValidity
    this.#uids = opts.uids
    this.highestModseq = opts.highestModseq
  }

  get exists(): number {
    return this.#uids.length
  }

  get lastUid(): number {
    return this.#uids[this.#uids.length - 1] ?? 0
  }

  /** The sequence number of a UID in the view, or 0. */
  seqOf(uid: number): number {
    let lo = 0
    let hi = this.#uids.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const v = this.#uids[mid] ?? 0
      if (v === uid) return mid + 1
      if (v < uid) lo = mid + 1
      else hi = mid - 1
    }
    return 0
  }

  uidOf(seq: number): number | undefined {
    return this.#uids[seq - 1]
  }

  /** Every UID of the view (ascending). */
  allUids(): readonly number[] {
    return this.#uids
  }

  /**
   * The UIDs a set names, ascending: message numbers of the view (RFC 9051 9 seq-number,
   * `*` the last), or UIDs (`*` the highest UID; UIDs not in the view are left out,
   * RFC 9051 6.4.9). `saved` is the SEARCHRES result, as UIDs (RFC 5182 2.1).
   */
  resolve(set: SequenceSet, opts: { isUid: boolean; saved?: readonly number[] }): number[] {
    if (set.kind === 'saved') return (opts.saved ?? []).filter((u) => this.seqOf(u) > 0)
    const out: number[] = []
    if (opts.isUid) {
      for (const [lo, hi] of resolveSequenceSet(set, { max: this.lastUid })) {
        for (let i = this.#lowerBound(lo); i < this.#uids.length; i++) {
          const uid = this.#uids[i] ?? 0
          if (uid > hi) break
          out.push(uid)
        }
      }
      return out
    }
    for (const [lo, hi] of resolveSequenceSet(set, { max: this.#uids.length })) {
      for (let n = lo; n <= hi; n++) out.push(this.#uids[n - 1] ?? 0)
    }
    return out
  }

  #lowerBound(uid: number): number {
    let lo = 0
    let hi = this.#uids.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.#uids[mid] ?? 0) < uid) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Queues committed changes of this mailbox (from the change feed). */
  queue(changes: readonly MailboxChange[]): void {
    let isQueued = false
    for (const change of changes) {
      if (change.mailboxId !== this.id) continue
      if (change.kind === 'appended') {
        if (change.uid > this.lastUid && !this.#newUids.includes(change.uid)) {
          this.#newUids.push(change.uid)
          isQueued = true
        }
      } else if (change.kind === 'expunged') {
        const pendingNew = this.#newUids.indexOf(change.uid)
        if (pendingNew >= 0) this.#newUids.splice(pendingNew, 1)
        else if (this.seqOf(change.uid) > 0) this.#expunged.add(change.uid)
        this.#flags.delete(change.uid)
        isQueued = true
      } else if (change.kind === 'flags') {
        this.#flags.set(change.uid, { uid: change.uid, flags: change.flags, modseq: change.modseq })
        if (change.modseq > this.highestModseq) this.highestModseq = change.modseq
        isQueued = true
      }
    }
    if (isQueued) this.onQueued?.()
  }

  /**
   * Forgets queued flag changes this session made itself and already reported (STORE's own
   * FETCH responses, the \Seen set by FETCH BODY[]): the client knows them.
   */
  forgetOwnFlags(states: readonly { uid: number; modseq: number }[]): void {
    for (const s of states) {
      const queued = this.#flags.get(s.uid)
      if (queued !== undefined && queued.modseq <= s.modseq) this.#flags.delete(s.uid)
    }
  }

  get hasPending(): boolean {
    return this.#newUids.length > 0 || this.#expunged.size > 0 || this.#flags.size > 0
  }

  /**
   * Takes the queued changes and applies them to the view. With `canExpunge` false
   * (during FETCH, STORE, SEARCH: RFC 9051 7.4.1) expunges stay queued and the expunged
   * messages keep their numbers.
   */
  take(opts: { canExpunge: boolean }): PendingUpdates {
    const out: PendingUpdates = { expunged: [], exists: undefined, flags: [] }
    if (opts.canExpunge && this.#expunged.size > 0) {
      let removed = 0
      const kept: number[] = []
      this.#uids.forEach((uid, i) => {
        if (this.#expunged.has(uid)) {
          // Each EXPUNGE's number counts the ones already reported (RFC 9051 7.4.1).
          out.expunged.push({ seq: i + 1 - removed, uid })
          removed++
        } else kept.push(uid)
      })
      this.#uids = kept
      this.#expunged.clear()
    }
    if (this.#newUids.length > 0) {
      this.#newUids.sort((a, b) => a - b)
      for (const uid of this.#newUids) if (uid > this.lastUid) this.#uids.push(uid)
      this.#newUids = []
      out.exists = this.#uids.length
    }
    for (const update of this.#flags.values()) {
      const seq = this.seqOf(update.uid)
      if (seq > 0) out.flags.push({ ...update, seq })
    }
    this.#flags.clear()
    out.flags.sort((a, b) => a.seq - b.seq)
    return out
  }
}
