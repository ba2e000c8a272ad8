// MTA-STS (RFC 8461), the pure parts: the `_mta-sts` TXT record (RFC 8461 3.1), the policy
// file (RFC 8461 3.2: "key: value" lines; version STSv1, mode enforce/testing/none, mx
// patterns, max_age), and MX host matching (RFC 8461 4.1: a pattern is a host name or
// "*." plus a name, the wildcard standing for exactly one leftmost label). Discovery, fetching
// and caching are in mta-sts-policy-cache.ts.

export type MtaStsMode = 'enforce' | 'testing' | 'none'

export interface MtaStsPolicy {
  mode: MtaStsMode
  /** Lower-case patterns, "mx.example.com" or "*.example.com". */
  mx: string[]
  /** Seconds. */
  maxAge: number
}

/** RFC 8461 3.2: max_age is at most 31557600 seconds (about a year). */
export const MAX_POLICY_AGE_SECONDS = 31_557_600

/**
 * RFC 8461 3.1: "v=STSv1; id=..." (fields separated by ";", optional whitespace; id 1-32
 * letters and digits). Returns the id, or undefined when this is not a valid STS record.
 */
export function parseStsRecord(txt: string): string | undefined {
  const fields = txt
    .split(';')
    .map((f) => f.trim())
    .filter((f) => f !== '')
  if (fields[0] !== 'v=STSv1') return undefined
  let id: string | undefined
  for (const field of fields.slice(1)) {
    const eq = field.indexOf('=')
    if (eq <= 0) return undefined
    const key = field.slice(0, eq)
    const value = field.slice(eq + 1)
    if (key === 'id') {
      if (!/^[A-Za-z0-9]{1,32}$/.test(value)) return undefined
      id = value
    }
  }
  return id
}

/**
 * RFC 8461 3.1: of the TXT records at _mta-sts.<domain>, those starting with "v=STSv1"; when
 * there is not exactly one, the domain has no usable record. Strings of one TXT record are
 * joined (RFC 7208-style multi-string records).
 */
export function pickStsRecordId(records: readonly (readonly string[])[]): string | undefined {
  const sts = records.map((r) => r.join('')).filter((r) => r.startsWith('v=STSv1'))
  if (sts.length !== 1) return undefined
  return parseStsRecord(sts[0] ?? '')
}

export class PolicySyntaxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PolicySyntaxError'
  }
}

/** RFC 8461 3.2: parses a policy file; throws PolicySyntaxError when it is not valid. */
export function parsePolicy(text: string): MtaStsPolicy {
  let version: string | undefined
  let mode: MtaStsMode | undefined
  let maxAge: number | undefined
  const mx: string[] = []
  // RFC 8461 3.2: fields separated by CRLF or LF; unknown keys are ignored.
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line === '') continue
    const colon = line.indexOf(':')
    if (colon <= 0) throw new PolicySyntaxError(`not a "key: value" line: ${line.slice(0, 60)}`)
    const key = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    switch (key) {
      case 'version':
        version = value
        break
      case 'mode':
        if (value !== 'enforce' && value !== 'testing' && value !== 'none') {
          throw new PolicySyntaxError(`bad mode: ${value}`)
        }
        mode = value
        break
      case 'max_age':
        if (!/^\d{1,15}$/.test(value)) throw new PolicySyntaxError(`bad max_age: ${value}`)
        maxAge = Math.min(Number(value), MAX_POLICY_AGE_SECONDS)
        break
      case 'mx':
        if (!/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.?$/.test(value)) {
          throw new PolicySyntaxError(`bad mx pattern: ${value}`)
        }
        mx.push(value.toLowerCase().replace(/\.$/, ''))
        break
      default:
        break
    }
  }
  if (version !== 'STSv1') throw new PolicySyntaxError('version is not STSv1')
  if (mode === undefined) throw new PolicySyntaxError('no mode')
  if (maxAge === undefined) throw new PolicySyntaxError('no max_age')
  // RFC 8461 3.2: "mx" is required unless the mode is "none".
  if (mode !== 'none' && mx.length === 0) throw new PolicySyntaxError('no mx pattern')
  return { mode, mx, maxAge }
}

/** RFC 8461 4.1: does the MX host name match one of the policy's patterns? */
export function mxMatchesPolicy(host: string, patterns: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '')
  return patterns.some((pattern) => {
    if (!pattern.startsWith('*.')) return pattern === name
    // The wildcard is exactly one label: "*.example.com" matches "mx.example.com", neither
    // "example.com" nor "a.b.example.com".
    const suffix = pattern.slice(1)
    if (!name.endsWith(suffix)) return false
    const label = name.slice(0, name.length - suffix.length)
    return label !== '' && !label.includes('.')
  })
}
