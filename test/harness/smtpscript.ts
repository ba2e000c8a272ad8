// An interpreter for OpenSMTPD's `smtpscript` regression language (regress/bin/parse.y and
// smtpscript.c, see ../shared/conformance/opensmtpd-smtpscript/SOURCE.md), faithful to
// the original where it matters:
// - strings: "..." or '...'; a newline inside a string is dropped; \" escapes the quote;
// - `expect smtp ok|tempfail|permfail` want a single-line reply; `helo` and bare
//   `expect smtp` allow multi-line; ok also accepts 3xx;
// - `expect disconnect` fails if any data arrives before the server closes;
// - the first failing statement ends the case; `expect fail` inverts the result;
// - every test-case connects to the server first unless `no-autoconnect`; the script's
//   "127.0.0.1"/"localhost" port 25 is mapped to the server under test.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { SmtpClient } from './smtp-client.ts'

export type ExpectFlags = 'any' | 'ok' | 'helo' | 'tempfail' | 'permfail'

export type Stmt =
  | { kind: 'block'; body: Stmt[] }
  | { kind: 'repeat'; count: number; stmt: Stmt }
  | { kind: 'random'; choices: Stmt[] }
  | { kind: 'noop' }
  | { kind: 'fail'; reason: string }
  | { kind: 'call'; name: string }
  | { kind: 'connect'; host: string; port: number }
  | { kind: 'disconnect' }
  | { kind: 'starttls' }
  | { kind: 'sleep'; ms: number }
  | { kind: 'write'; data: string }
  | { kind: 'expect-disconnect' }
  | { kind: 'expect-smtp'; flags: ExpectFlags }

export interface TestCase {
  /** `name "..."`, else `<file:line>` as smtpscript names it. */
  name: string
  /** 0-based position among the file's test-cases. */
  index: number
  noAutoconnect: boolean
  expectFail: boolean
  skip: boolean
  body: Stmt
}

export interface Script {
  procs: Map<string, Stmt>
  cases: TestCase[]
}

type Token =
  | { t: 'word'; v: string; line: number }
  | { t: 'string'; v: string; line: number }
  | { t: 'number'; v: number; line: number }
  | { t: 'punct'; v: string; line: number }

const WORD_START = /[A-Za-z0-9:_%]/
const WORD_CHAR = /[A-Za-z0-9:_%\-.@/+*&^$?;~`|\\[\]'"]/

export function tokenize(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  let line = 1
  while (i < src.length) {
    const c = src.charAt(i)
    if (c === '\n') {
      line++
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') i++
    else if (c === '#') {
      while (i < src.length && src.charAt(i) !== '\n') i++
    } else if (c === '"' || c === "'") {
      const start = line
      let v = ''
      i++
      for (;;) {
        if (i >= src.length) throw new Error(`line ${start}: unterminated string`)
        const d = src.charAt(i++)
        if (d === c) break
        if (d === '\n') {
          line++ // smtpscript drops newlines inside strings
          continue
        }
        if (d === '\\' && src.charAt(i) === c) {
          v += c
          i++
          continue
        }
        v += d
      }
      out.push({ t: 'string', v, line: start })
    } else if (c === '{' || c === '}') {
      out.push({ t: 'punct', v: c, line })
      i++
    } else if (/[0-9]/.test(c)) {
      let v = ''
      while (i < src.length && /[0-9]/.test(src.charAt(i))) v += src.charAt(i++)
      out.push({ t: 'number', v: Number(v), line })
    } else if (WORD_START.test(c)) {
      let v = ''
      while (i < src.length && WORD_CHAR.test(src.charAt(i))) v += src.charAt(i++)
      out.push({ t: 'word', v, line })
    } else throw new Error(`line ${line}: unexpected character ${JSON.stringify(c)}`)
  }
  return out
}

class Parser {
  toks: Token[]
  pos = 0
  file: string
  constructor(toks: Token[], file: string) {
    this.toks = toks
    this.file = file
  }
  peek(): Token | undefined {
    return this.toks[this.pos]
  }
  next(): Token {
    const t = this.toks[this.pos++]
    if (t === undefined) throw new Error(`${this.file}: unexpected end of script`)
    return t
  }
  isWord(v: string): boolean {
    const t = this.peek()
    return t?.t === 'word' && t.v === v
  }
  word(v?: string): string {
    const t = this.next()
    if (t.t !== 'word' || (v !== undefined && t.v !== v)) {
      throw new Error(`${this.file}:${t.line}: expected ${v ?? 'a word'}, got ${String(t.v)}`)
    }
    return t.v
  }
  string(): string {
    const t = this.next()
    if (t.t !== 'string') throw new Error(`${this.file}:${t.line}: expected a string`)
    return t.v
  }
  number(): number {
    const t = this.next()
    if (t.t !== 'number') throw new Error(`${this.file}:${t.line}: expected a number`)
    return t.v
  }
  block(): Stmt {
    const open = this.next()
    if (open.t !== 'punct' || open.v !== '{') throw new Error(`${this.file}:${open.line}: {`)
    const body: Stmt[] = []
    while (!(this.peek()?.t === 'punct' && this.peek()?.v === '}')) body.push(this.statement())
    this.next()
    return { kind: 'block', body }
  }
  statement(): Stmt {
    const t = this.peek()
    if (t?.t === 'punct' && t.v === '{') return this.block()
    const w = this.word()
    switch (w) {
      case 'repeat': {
        const count = this.number()
        return { kind: 'repeat', count, stmt: this.statement() }
      }
      case 'random': {
        const b = this.block()
        return { kind: 'random', choices: b.kind === 'block' ? b.body : [] }
      }
      case 'noop':
        return { kind: 'noop' }
      case 'fail':
        return { kind: 'fail', reason: this.string() }
      case 'call':
        return { kind: 'call', name: this.word() }
      case 'connect': {
        const host = this.string()
        this.word('port')
        return { kind: 'connect', host, port: this.number() }
      }
      case 'disconnect':
        return { kind: 'disconnect' }
      case 'starttls':
        return { kind: 'starttls' }
      case 'sleep':
        return { kind: 'sleep', ms: this.number() }
      case 'write':
        return { kind: 'write', data: this.string() }
      case 'writeln':
        return { kind: 'write', data: this.string() + '\r\n' }
      case 'expect':
        return this.expect()
      default:
        throw new Error(`${this.file}:${t?.line ?? 0}: unknown statement ${w}`)
    }
  }
  expect(): Stmt {
    if (this.isWord('disconnect')) {
      this.next()
      return { kind: 'expect-disconnect' }
    }
    this.word('smtp')
    for (const f of ['ok', 'helo', 'tempfail', 'permfail'] as const) {
      if (this.isWord(f)) {
        this.next()
        return { kind: 'expect-smtp', flags: f }
      }
    }
    return { kind: 'expect-smtp', flags: 'any' }
  }
  script(): Script {
    const procs = new Map<string, Stmt>()
    const cases: TestCase[] = []
    while (this.peek() !== undefined) {
      const head = this.next()
      if (head.t === 'word' && head.v === 'proc') {
        const name = this.word()
        while (this.peek()?.t === 'word' && String(this.peek()?.v).startsWith('%')) this.next()
        procs.set(name, this.block())
      } else if (head.t === 'word' && head.v === 'test-case') {
        const tc: TestCase = {
          name: `<${this.file}:${head.line}>`,
          index: cases.length,
          noAutoconnect: false,
          expectFail: false,
          skip: false,
          body: { kind: 'noop' },
        }
        if (this.isWord('name')) {
          this.next()
          tc.name = this.string()
        }
        if (this.isWord('no-autoconnect')) tc.noAutoconnect = Boolean(this.next())
        if (this.isWord('expect')) {
          this.next()
          this.word('fail')
          tc.expectFail = true
        }
        if (this.isWord('skip')) tc.skip = Boolean(this.next())
        tc.body = this.block()
        cases.push(tc)
      } else throw new Error(`${this.file}:${head.line}: expected proc or test-case`)
    }
    return { procs, cases }
  }
}

export function parseScript(src: string, file = 'script'): Script {
  return new Parser(tokenize(src), file).script()
}

export function loadScript(path: string): Script {
  return parseScript(readFileSync(path, 'utf8'), basename(path))
}

export interface CaseResult {
  name: string
  index: number
  result: 'pass' | 'fail' | 'skip' | 'error'
  /** Why the case failed (for an expected failure: why it failed as expected). */
  reason: string
  /** Transcript of what was sent and received, for diagnostics. */
  transcript: string[]
}

export interface RunOptions {
  port: number
  host?: string
  timeoutMs?: number
}

class CaseFailure extends Error {
  result: 'fail' | 'error'
  constructor(result: 'fail' | 'error', message: string) {
    super(message)
    this.result = result
  }
}

interface Ctx {
  script: Script
  opts: RunOptions
  client: SmtpClient | undefined
  transcript: string[]
}

function checkReply(
  flags: ExpectFlags,
  reply: { code: number; lines: string[]; raw: string },
): void {
  const multiline = reply.lines.length > 1
  if (multiline && (flags === 'ok' || flags === 'tempfail' || flags === 'permfail')) {
    throw new CaseFailure('fail', `single line response expected: ${reply.raw}`)
  }
  const cls = Math.floor(reply.code / 100)
  const okWanted = flags === 'any' || flags === 'ok' || flags === 'helo'
  const good =
    ((cls === 2 || cls === 3) && okWanted) ||
    (cls === 4 && (flags === 'any' || flags === 'tempfail')) ||
    (cls === 5 && (flags === 'any' || flags === 'permfail'))
  if (!good) throw new CaseFailure('fail', `unexpected response code: ${reply.raw}`)
}

function need(ctx: Ctx): SmtpClient {
  if (ctx.client === undefined) throw new CaseFailure('error', 'not connected')
  return ctx.client
}

async function exec(ctx: Ctx, stmt: Stmt): Promise<void> {
  switch (stmt.kind) {
    case 'block':
      for (const s of stmt.body) await exec(ctx, s)
      return
    case 'repeat':
      for (let i = 0; i < stmt.count; i++) await exec(ctx, stmt.stmt)
      return
    case 'random': {
      const pick = stmt.choices[Math.floor(Math.random() * stmt.choices.length)]
      if (pick !== undefined) await exec(ctx, pick)
      return
    }
    case 'noop':
      return
    case 'fail':
      throw new CaseFailure('fail', stmt.reason)
    case 'call': {
      const body = ctx.script.procs.get(stmt.name)
      if (body === undefined) throw new CaseFailure('error', `no proc ${stmt.name}`)
      await exec(ctx, body)
      return
    }
    case 'connect':
      await connect(ctx, stmt.host, stmt.port)
      return
    case 'disconnect':
      ctx.client?.close()
      ctx.client = undefined
      return
    case 'starttls':
      ctx.transcript.push('== starttls')
      try {
        await need(ctx).upgradeTls()
      } catch (err) {
        throw new CaseFailure('error', `SSL connection failed: ${String(err)}`)
      }
      return
    case 'sleep':
      await new Promise((r) => setTimeout(r, stmt.ms))
      return
    case 'write': {
      const c = need(ctx)
      ctx.transcript.push('-> ' + JSON.stringify(stmt.data))
      if (c.closed) throw new CaseFailure('fail', 'connection closed')
      c.write(stmt.data)
      return
    }
    case 'expect-disconnect': {
      const r = await need(ctx).readOrClose()
      if (r !== 'closed') {
        ctx.transcript.push('<- ' + r.raw)
        throw new CaseFailure('fail', `data read: ${JSON.stringify(r.raw)}`)
      }
      ctx.transcript.push('<- (disconnect)')
      return
    }
    case 'expect-smtp': {
      const r = await need(ctx).readOrClose()
      if (r === 'closed') throw new CaseFailure('fail', 'connection closed')
      ctx.transcript.push('<- ' + r.raw)
      checkReply(stmt.flags, r)
      return
    }
  }
}

async function connect(ctx: Ctx, host: string, port: number): Promise<void> {
  ctx.client?.close()
  const local = host === 'localhost' || host === '127.0.0.1'
  if (!local) throw new CaseFailure('error', `only loopback: ${host}`)
  const target = port === 25 ? ctx.opts.port : port
  try {
    ctx.client = await SmtpClient.connect(target, {
      host: ctx.opts.host ?? '127.0.0.1',
      timeoutMs: ctx.opts.timeoutMs ?? 10_000,
      readGreeting: false,
    })
  } catch (err) {
    throw new CaseFailure('error', `failed to connect to ${host}:${port}: ${String(err)}`)
  }
}

/** Runs one test-case on a fresh connection, as smtpscript's run_testcase does. */
export async function runCase(script: Script, tc: TestCase, opts: RunOptions): Promise<CaseResult> {
  const base = { name: tc.name, index: tc.index }
  if (tc.skip) return { ...base, result: 'skip', reason: 'skip', transcript: [] }
  const ctx: Ctx = { script, opts, client: undefined, transcript: [] }
  let failure: CaseFailure | undefined
  try {
    if (!tc.noAutoconnect) await connect(ctx, '127.0.0.1', 25)
    await exec(ctx, tc.body)
  } catch (err) {
    failure = err instanceof CaseFailure ? err : new CaseFailure('fail', String(err))
  } finally {
    ctx.client?.close()
  }
  const transcript = ctx.transcript
  if (failure?.result === 'error') {
    return { ...base, result: 'error', reason: failure.message, transcript }
  }
  if (failure === undefined) {
    return tc.expectFail
      ? { ...base, result: 'fail', reason: 'should have failed', transcript }
      : { ...base, result: 'pass', reason: '', transcript }
  }
  return tc.expectFail
    ? { ...base, result: 'pass', reason: `failed as expected: ${failure.message}`, transcript }
    : { ...base, result: 'fail', reason: failure.message, transcript }
}

/** Runs every test-case of a script, one after the other. */
export async function runScript(script: Script, opts: RunOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = []
  for (const tc of script.cases) results.push(await runCase(script, tc, opts))
  return results
}
