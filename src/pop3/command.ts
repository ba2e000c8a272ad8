// POP3 command parsing (RFC 1939 3, 5, 6, 7; RFC 2449 5; RFC 2595 4; RFC 5034 4; RFC 6856
// 3), pure: one line in, one typed command out, or a Pop3Error for a client mistake.
// Keywords are case-insensitive (RFC 1939 3); arguments are separated by single spaces.

import { badCommand } from './codes.ts'

export type Pop3Command =
  | { kind: 'user'; name: string }
  | { kind: 'pass'; password: string }
  | { kind: 'auth'; mechanism: string | undefined; initialResponse: string | undefined }
  | { kind: 'capa' }
  | { kind: 'stls' }
  | { kind: 'utf8' }
  | { kind: 'stat' }
  | { kind: 'list'; msg: number | undefined }
  | { kind: 'uidl'; msg: number | undefined }
  | { kind: 'retr'; msg: number }
  | { kind: 'top'; msg: number; lines: number }
  | { kind: 'dele'; msg: number }
  | { kind: 'noop' }
  | { kind: 'rset' }
  | { kind: 'quit' }

export type Pop3CommandName = Pop3Command['kind']

// RFC 1939 3: arguments are up to 40 characters; message numbers and line counts are plain
// decimal numbers, so more than 9 digits is never a real one.
const MAX_NUMBER_DIGITS = 9

function parseNumber(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text) || text.length > MAX_NUMBER_DIGITS) {
    throw badCommand(`${what} must be a number`)
  }
  return Number(text)
}

function noArgs(kind: 'capa' | 'stls' | 'utf8' | 'stat' | 'noop' | 'rset' | 'quit') {
  return (args: string[]): Pop3Command => {
    if (args.length > 0) throw badCommand(`${kind.toUpperCase()} takes no arguments`)
    return { kind }
  }
}

/** Message number argument: required unless `optional`. */
function msgArg(kind: 'list' | 'uidl') {
  return (args: string[]): Pop3Command => {
    if (args.length > 1) throw badCommand('too many arguments')
    return { kind, msg: args[0] === undefined ? undefined : parseNumber(args[0], 'message') }
  }
}

function oneMsg(kind: 'retr' | 'dele') {
  return (args: string[]): Pop3Command => {
    if (args.length !== 1) throw badCommand(`${kind.toUpperCase()} needs one message number`)
    return { kind, msg: parseNumber(args[0], 'message') }
  }
}

/** Commands whose one argument is the rest of the line, spaces included. */
const REST_OF_LINE = new Set(['USER', 'PASS'])

const PARSERS: Record<string, (args: string[], rest: string) => Pop3Command> = {
  // RFC 1939 7: USER name.
  USER: (_args, rest) => {
    if (rest === '') throw badCommand('USER needs a name')
    return { kind: 'user', name: rest }
  },
  // RFC 1939 7: "the server may treat the remainder of the argument as the password".
  PASS: (_args, rest) => ({ kind: 'pass', password: rest }),
  // RFC 5034 4: AUTH mechanism [initial-response].
  AUTH: (args) => {
    if (args.length > 2) throw badCommand('AUTH takes a mechanism and an initial response')
    return { kind: 'auth', mechanism: args[0]?.toUpperCase(), initialResponse: args[1] }
  },
  CAPA: noArgs('capa'),
  STLS: noArgs('stls'),
  UTF8: noArgs('utf8'),
  STAT: noArgs('stat'),
  NOOP: noArgs('noop'),
  RSET: noArgs('rset'),
  QUIT: noArgs('quit'),
  LIST: msgArg('list'),
  UIDL: msgArg('uidl'),
  RETR: oneMsg('retr'),
  DELE: oneMsg('dele'),
  // RFC 1939 7: TOP msg n, n non-negative.
  TOP: (args) => {
    if (args.length !== 2) throw badCommand('TOP needs a message number and a line count')
    return {
      kind: 'top',
      msg: parseNumber(args[0], 'message'),
      lines: parseNumber(args[1], 'lines'),
    }
  },
}

/** The upper-cased keyword of a line, for logs and metrics. */
export function commandKeyword(line: string): string {
  const space = line.indexOf(' ')
  return (space === -1 ? line : line.slice(0, space)).toUpperCase()
}

export function parseCommand(line: string): Pop3Command {
  const keyword = commandKeyword(line)
  const parse = Object.hasOwn(PARSERS, keyword) ? PARSERS[keyword] : undefined
  if (parse === undefined) throw badCommand('unknown command')
  const rest = line.length > keyword.length ? line.slice(keyword.length + 1) : ''
  if (REST_OF_LINE.has(keyword)) return parse([], rest)
  const args = rest === '' ? [] : rest.split(' ')
  if (args.some((a) => a === '')) throw badCommand('arguments are separated by one space')
  return parse(args, rest)
}
