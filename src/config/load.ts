// Loads the configuration: DATA/postern.toml (optional) + POSTERN_* environment overrides,
// validated against schema.ts. Every problem is collected and reported at once in one
// ConfigError naming each bad key by dotted path, where it came from and why.
//
// Paths: the returned Config has `store.path`, `tls.cert` and `tls.key` resolved to absolute
// paths (relative ones are taken against the data directory). Callers use them as they are.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { TomlError, parse as parseToml } from 'smol-toml'
import type { z } from 'zod'
import { configSchema } from './schema.ts'
import type { Config } from './schema.ts'

export const CONFIG_FILE_NAME = 'postern.toml'

/** POSTERN_* variables that are not config keys. */
const NON_CONFIG_ENV = new Set(['POSTERN_DATA'])

export class ConfigError extends Error {
  readonly problems: readonly string[]
  constructor(source: string, problems: readonly string[]) {
    super(`invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** The data directory: `--data DIR`, else POSTERN_DATA, else ./data; always absolute. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const chosen =
    flag ??
    (env.POSTERN_DATA !== undefined && env.POSTERN_DATA !== '' ? env.POSTERN_DATA : './data')
  return path.resolve(chosen)
}

/** A path from the config, absolute, relative ones taken against the data directory. */
export function resolveDataPath(dataDir: string, p: string): string {
  return path.resolve(dataDir, p)
}

export interface LoadConfigOptions {
  dataDir: string
  env: NodeJS.ProcessEnv
}

type Raw = Record<string, unknown>

export function loadConfig(opts: LoadConfigOptions): Config {
  const file = path.join(opts.dataDir, CONFIG_FILE_NAME)
  const raw = readConfigFile(file)
  const envProblems: string[] = []
  const fromEnv = applyEnvOverrides(raw, opts.env, envProblems)
  const result = configSchema.safeParse(raw)
  const problems = [...envProblems]
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push(...describeIssue(issue, raw, { file, fromEnv }))
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems)
  const config = result.data
  config.store.path = resolveDataPath(opts.dataDir, config.store.path)
  config.tls.cert = resolveDataPath(opts.dataDir, config.tls.cert)
  config.tls.key = resolveDataPath(opts.dataDir, config.tls.key)
  return config
}

function readConfigFile(file: string): Raw {
  if (!existsSync(file)) return {}
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`])
  }
  try {
    return parseToml(text)
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split('\n')[0] ?? 'syntax error'
      throw new ConfigError(file, [
        `TOML syntax error at line ${err.line}, column ${err.column}: ${reason}`,
      ])
    }
    throw err
  }
}

/** The defaults, which also tell every known key and its type. */
function defaults(): Raw {
  return configSchema.parse({})
}

interface LeafKey {
  /** ['smtp', 'max_line_bytes'] or ['hostname']. */
  path: string[]
  envName: string
  defaultValue: unknown
}

/** Every leaf key of the config with its POSTERN_* variable name. */
export function configLeafKeys(): LeafKey[] {
  const keys: LeafKey[] = []
  for (const [section, value] of Object.entries(defaults())) {
    if (isPlainObject(value)) {
      for (const [key, leaf] of Object.entries(value)) {
        keys.push({ path: [section, key], envName: envNameFor([section, key]), defaultValue: leaf })
      }
    } else {
      keys.push({ path: [section], envName: envNameFor([section]), defaultValue: value })
    }
  }
  return keys
}

function envNameFor(keyPath: string[]): string {
  return `POSTERN_${keyPath.join('_').toUpperCase()}`
}

/** Writes env values into raw; returns the dotted paths that came from the environment. */
function applyEnvOverrides(
  raw: Raw,
  env: NodeJS.ProcessEnv,
  problems: string[],
): Map<string, string> {
  const byName = new Map(configLeafKeys().map((k) => [k.envName, k]))
  const fromEnv = new Map<string, string>()
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('POSTERN_') || NON_CONFIG_ENV.has(name) || value === undefined) continue
    const key = byName.get(name)
    if (key === undefined) {
      const hint = closest(name, [...byName.keys(), ...NON_CONFIG_ENV])
      problems.push(
        `environment variable ${name}: not a configuration key${hint === undefined ? '' : ` (did you mean ${hint}?)`}`,
      )
      continue
    }
    const dotted = key.path.join('.')
    const parsed = parseEnvValue(value, key.defaultValue)
    if (parsed.kind === 'bad') {
      problems.push(`environment variable ${name} (${dotted}): ${parsed.reason}`)
      continue
    }
    setAt(raw, key.path, parsed.value)
    fromEnv.set(dotted, name)
  }
  return fromEnv
}

type ParsedEnv = { kind: 'ok'; value: unknown } | { kind: 'bad'; reason: string }

function parseEnvValue(value: string, like: unknown): ParsedEnv {
  if (Array.isArray(like)) {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
    return { kind: 'ok', value: items }
  }
  if (typeof like === 'number') {
    const n = value.trim() === '' ? NaN : Number(value.replaceAll('_', ''))
    if (Number.isNaN(n)) return { kind: 'bad', reason: `expected a number, got "${value}"` }
    return { kind: 'ok', value: n }
  }
  if (typeof like === 'boolean') {
    if (value === 'true' || value === '1') return { kind: 'ok', value: true }
    if (value === 'false' || value === '0') return { kind: 'ok', value: false }
    return { kind: 'bad', reason: `expected true or false, got "${value}"` }
  }
  return { kind: 'ok', value }
}

function setAt(raw: Raw, keyPath: string[], value: unknown): void {
  const [first, second] = keyPath
  if (first === undefined) return
  if (second === undefined) {
    raw[first] = value
    return
  }
  const section = raw[first]
  if (isPlainObject(section)) section[second] = value
  else raw[first] = { [second]: value }
}

interface IssueContext {
  file: string
  fromEnv: Map<string, string>
}

function describeIssue(issue: z.core.$ZodIssue, raw: Raw, ctx: IssueContext): string[] {
  const at = issue.path.map(String)
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(at)
    return issue.keys.map((key) => {
      const dotted = [...at, key].join('.')
      const hint = closest(key, known)
      const suggestion = hint === undefined ? '' : ` (did you mean ${[...at, hint].join('.')}?)`
      return `${dotted}: unknown key in ${path.basename(ctx.file)}${suggestion}`
    })
  }
  const dotted = at.join('.') || '(top level)'
  const envName = ctx.fromEnv.get(dotted)
  const where = envName === undefined ? dotted : `${dotted} (from ${envName})`
  if (issue.code === 'invalid_type') {
    return [`${where}: expected ${issue.expected}, got ${describeValue(valueAt(raw, at))}`]
  }
  return [`${where}: ${issue.message}`]
}

function knownKeysAt(at: string[]): string[] {
  let node: unknown = defaults()
  for (const part of at) node = isPlainObject(node) ? node[part] : undefined
  return isPlainObject(node) ? Object.keys(node) : []
}

function valueAt(raw: Raw, at: string[]): unknown {
  let node: unknown = raw
  for (const part of at) node = isPlainObject(node) ? node[part] : undefined
  return node
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'an array'
  if (isPlainObject(value)) return 'a table'
  if (typeof value === 'string') return `string "${value}"`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`
  }
  return typeof value
}

function isPlainObject(value: unknown): value is Raw {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  )
}

/** The candidate closest to `word` by edit distance, if close enough to be a likely typo. */
function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)))
  return bestDistance <= limit ? best : undefined
}

/** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = []
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i]
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j)
        continue
      }
      const up = rows[i - 1] ?? []
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1)
      }
      row.push(d)
    }
    rows.push(row)
  }
  return rows[a.length]?.[b.length] ?? 0
}
