// Reads a DMARC aggregate report (RFC 7489 7.2, appendix C schema; also the reports of
// receivers that add a namespace or leave out version, selector, scope or fo) into an
// AggregateReport. Bounded: the XML may be at most MAX_XML_BYTES, at most MAX_RECORDS records
// are read, and a document type declaration (entity expansion) is refused. XML by
// fast-xml-parser; everything it yields is checked before use.
import { XMLParser } from 'fast-xml-parser'
import type {
  AggregateReport,
  AlignmentMode,
  AuthResultKeyword,
  Disposition,
  DmarcAligned,
  PolicyPublished,
  ReportRecord,
} from './report-model.ts'
import { AUTH_RESULT_KEYWORDS } from './report-model.ts'

export const MAX_XML_BYTES = 32 * 1024 * 1024
export const MAX_RECORDS = 100_000

export class ReportParseError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReportParseError'
  }
}

const REPEATED = new Set(['record', 'dkim', 'spf', 'reason', 'error'])

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  // auth_results/dkim and spf repeat; policy_evaluated/dkim and spf are single text nodes.
  isArray: (name, _path, isLeaf) =>
    REPEATED.has(name) && !(isLeaf && (name === 'dkim' || name === 'spf')),
})

type Node = Record<string, unknown>

export function parseAggregateReport(xml: string | Buffer): AggregateReport {
  const text = typeof xml === 'string' ? xml : xml.toString('utf8')
  if (Buffer.byteLength(text) > MAX_XML_BYTES) throw new ReportParseError('report too large')
  if (/<!DOCTYPE/i.test(text)) throw new ReportParseError('a DOCTYPE is not allowed in a report')
  let doc: Node
  try {
    doc = parser.parse(text) as Node
  } catch (err) {
    throw new ReportParseError(`not well-formed XML: ${err instanceof Error ? err.message : ''}`)
  }
  const feedback = node(doc, 'feedback')
  const meta = node(feedback, 'report_metadata')
  const range = node(meta, 'date_range')
  const records = list(feedback, 'record')
  if (records.length === 0) throw new ReportParseError('a report needs at least one record')
  if (records.length > MAX_RECORDS) throw new ReportParseError('too many records')
  const extra = optionalText(meta, 'extra_contact_info')
  return {
    orgName: text1(meta, 'org_name'),
    email: text1(meta, 'email'),
    ...(extra === undefined ? {} : { extraContactInfo: extra }),
    reportId: text1(meta, 'report_id'),
    begin: integer(range, 'begin'),
    end: integer(range, 'end'),
    errors: list(meta, 'error').map((e) => (typeof e === 'string' ? e : '')),
    policy: policyOf(node(feedback, 'policy_published')),
    records: records.map((r) => recordOf(asNode(r, 'record'))),
  }
}

function policyOf(p: Node): PolicyPublished {
  const pct = optionalText(p, 'pct')
  return {
    domain: text1(p, 'domain').toLowerCase(),
    adkim: oneOf<AlignmentMode>(optionalText(p, 'adkim') ?? 'r', ['r', 's'], 'adkim'),
    aspf: oneOf<AlignmentMode>(optionalText(p, 'aspf') ?? 'r', ['r', 's'], 'aspf'),
    p: disposition(text1(p, 'p')),
    sp: disposition(optionalText(p, 'sp') ?? text1(p, 'p')),
    pct: pct === undefined ? 100 : Number.parseInt(pct, 10) || 0,
    fo: optionalText(p, 'fo') ?? '0',
  }
}

function recordOf(r: Node): ReportRecord {
  const row = node(r, 'row')
  const evaluated = node(row, 'policy_evaluated')
  const ids = node(r, 'identifiers')
  const auth = optionalNode(r, 'auth_results') ?? {}
  const envelopeTo = optionalText(ids, 'envelope_to')
  const count = integer(row, 'count')
  if (count < 0) throw new ReportParseError('a negative count')
  return {
    sourceIp: text1(row, 'source_ip'),
    count,
    disposition: disposition(text1(evaluated, 'disposition')),
    dkim: aligned(text1(evaluated, 'dkim')),
    spf: aligned(text1(evaluated, 'spf')),
    reasons: list(evaluated, 'reason').map((x) => {
      const reason = asNode(x, 'reason')
      const comment = optionalText(reason, 'comment')
      return { type: text1(reason, 'type'), ...(comment === undefined ? {} : { comment }) }
    }),
    headerFrom: text1(ids, 'header_from').toLowerCase(),
    envelopeFrom: (optionalText(ids, 'envelope_from') ?? '').toLowerCase(),
    ...(envelopeTo === undefined ? {} : { envelopeTo }),
    authDkim: list(auth, 'dkim').map((x) => {
      const d = asNode(x, 'dkim')
      const selector = optionalText(d, 'selector')
      return {
        domain: text1(d, 'domain').toLowerCase(),
        ...(selector === undefined ? {} : { selector }),
        result: resultKeyword(text1(d, 'result')),
      }
    }),
    authSpf: list(auth, 'spf').map((x) => {
      const s = asNode(x, 'spf')
      return {
        domain: text1(s, 'domain').toLowerCase(),
        scope: oneOf<'helo' | 'mfrom'>(
          optionalText(s, 'scope') ?? 'mfrom',
          ['helo', 'mfrom'],
          'scope',
        ),
        result: resultKeyword(text1(s, 'result')),
      }
    }),
  }
}

function node(parent: Node, name: string): Node {
  const found = optionalNode(parent, name)
  if (found === undefined) throw new ReportParseError(`missing <${name}>`)
  return found
}

function optionalNode(parent: Node, name: string): Node | undefined {
  const value = parent[name]
  if (value === undefined || value === '') return undefined
  return asNode(Array.isArray(value) ? value[0] : value, name)
}

function asNode(value: unknown, name: string): Node {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReportParseError(`<${name}> must have child elements`)
  }
  return value as Node
}

function list(parent: Node, name: string): unknown[] {
  const value = parent[name]
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

function optionalText(parent: Node, name: string): string | undefined {
  const value = parent[name]
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  throw new ReportParseError(`<${name}> must be text`)
}

function text1(parent: Node, name: string): string {
  const value = optionalText(parent, name)
  if (value === undefined || value === '') throw new ReportParseError(`missing <${name}>`)
  return value
}

function integer(parent: Node, name: string): number {
  const value = text1(parent, name)
  if (!/^-?\d{1,15}$/.test(value)) throw new ReportParseError(`<${name}> is not an integer`)
  return Number(value)
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  const lower = value.toLowerCase()
  if (!(allowed as readonly string[]).includes(lower)) {
    throw new ReportParseError(`<${name}> has an unknown value: ${value.slice(0, 40)}`)
  }
  return lower as T
}

function disposition(value: string): Disposition {
  return oneOf<Disposition>(value, ['none', 'quarantine', 'reject'], 'disposition')
}

function aligned(value: string): DmarcAligned {
  return oneOf<DmarcAligned>(value, ['pass', 'fail'], 'policy_evaluated')
}

/** Result keywords; the older "unknown" and "error" (RFC 7489 appendix C comments) mapped. */
function resultKeyword(value: string): AuthResultKeyword {
  const lower = value.toLowerCase()
  if (lower === 'unknown') return 'temperror'
  if (lower === 'error') return 'permerror'
  return oneOf(lower, AUTH_RESULT_KEYWORDS, 'result')
}
