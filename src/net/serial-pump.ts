// Runs a protocol session's inputs one at a time, in order, shared by the SMTP, POP3 and IMAP
// sessions. While an input is handled the socket is paused, so a pipelining client cannot grow
// buffers beyond the reader's limits; replies are corked while inputs are handled and flushed
// when the reader runs dry, so pipelined commands get their replies in one write (RFC 2920
// 3.2 for SMTP; the same holds for POP3 and IMAP). When the socket changes under a handler
// (STARTTLS), the drain stops: input read on the old socket is never handled.
import type { Socket } from 'node:net'

export interface SerialPumpOptions<I> {
  /** The session's socket now (a new one after STARTTLS). */
  socket: () => Socket
  /** The next complete input from the session's reader, or undefined. */
  next: () => I | undefined
  handle: (input: I) => Promise<void>
  /** Checked before each input: false ends the drain (session ended, or stopping). */
  canContinue: () => boolean
  /** A handler threw something the session did not map to a reply. */
  onError: (err: unknown) => void
  /** After every drain, when the pump is idle again. */
  onDrained: () => void
}

export class SerialPump<I> {
  readonly #opts: SerialPumpOptions<I>
  #isBusy = false

  constructor(opts: SerialPumpOptions<I>) {
    this.#opts = opts
  }

  get isBusy(): boolean {
    return this.#isBusy
  }

  /** Handles what the reader holds; a no-op while a drain is already running. */
  run(): void {
    if (this.#isBusy || !this.#opts.canContinue()) return
    this.#isBusy = true
    const socket = this.#opts.socket()
    socket.cork()
    this.#drain(socket)
      .catch((err: unknown) => {
        this.#opts.onError(err)
      })
      .finally(() => {
        this.#isBusy = false
        socket.uncork()
        const current = this.#opts.socket()
        if (current !== socket) current.uncork()
        this.#opts.onDrained()
      })
  }

  async #drain(socket: Socket): Promise<void> {
    const opts = this.#opts
    while (opts.canContinue()) {
      const input = opts.next()
      if (input === undefined) return
      socket.pause()
      try {
        await opts.handle(input)
      } finally {
        socket.resume()
      }
      if (opts.socket() !== socket) return // STARTTLS: the old reader's input is discarded.
    }
  }
}
