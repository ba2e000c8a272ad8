// Parses IMAP commands from wire text (RFC 9051 2.2): runs the text through an ImapReader
// with generous limits, answering every synchronising literal, and parses each command.
// For tests at every layer and for tools; a session uses ImapReader and parseCommand itself.

import { parseCommand } from './parser.ts'
import type { ImapCommand, ParseContext } from './parser.ts'
import { ImapReader } from './reader.ts'

const defaultCtx: ParseContext = { isUtf8Enabled: false }

/** Every command in `wire` (CRLF-terminated, literals inline), parsed; throws ProtocolBad. */
export function parseWire(wire: string | Buffer, ctx: ParseContext = defaultCtx): ImapCommand[] {
  const reader = new ImapReader({
    maxLineBytes: 1 << 20,
    maxLiteralBytes: 1 << 26,
    maxCommandBytes: 1 << 27,
    isLiteralPlus: true,
  })
  reader.feed(Buffer.isBuffer(wire) ? wire : Buffer.from(wire, 'utf8'))
  const out: ImapCommand[] = []
  for (let input = reader.next(); input !== undefined; input = reader.next()) {
    if (input.kind === 'command') out.push(parseCommand(input.command, ctx))
    else if (input.kind !== 'continuation-needed') throw new Error(`reader: ${input.kind}`)
  }
  if (reader.bufferedBytes > 0) throw new Error('parseWire: incomplete command')
  return out
}

/** The single command in `wire` (CRLF added when missing). */
export function parseOne(wire: string, ctx: ParseContext = defaultCtx): ImapCommand {
  const [command, ...rest] = parseWire(wire.endsWith('\n') ? wire : `${wire}\r\n`, ctx)
  if (command === undefined || rest.length > 0) throw new Error('parseOne: expected one command')
  return command
}
