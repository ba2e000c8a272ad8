// Conformance against mail-parser-stalwart's expected results (read in place from
// ../shared/conformance/mail-parser-stalwart, see its SOURCE.md): the part tree, content types,
// parameters and byte offsets of eml/*/NNN.eml (LF form vs NNN.json, CRLF form vs
// NNN.crlf.json), and the header corpora for addresses, content types and RFC 2047 text.
// Each test asserts a pass threshold it reaches and lists the mismatches as diagnostics.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { parseMimeTree, type MimePart } from './mime-tree.ts'
import { parseContentType } from './mime-params.ts'
import { parseAddressList, type Mailbox } from './address-list.ts'
import { decodeEncodedWords } from './encoded-words.ts'
import { parseHeaderBlock } from './header-fields.ts'

const ROOT = fileURLToPath(
  new URL('../../../shared/conformance/mail-parser-stalwart/', import.meta.url),
)
const SKIP = existsSync(ROOT) ? false : `no corpus at ${ROOT}`

interface SwHeader {
  name: string
  value: unknown
}
interface SwPart {
  headers: SwHeader[]
  body: Record<string, unknown> | string
  offset_header: number
  offset_body: number
  offset_end: number
}
interface SwMessage {
  parts: SwPart[]
}
interface SwContentType {
  c_type: string
  c_subtype: string | null
  attributes: { name: string; value: string }[] | null
}

function json(rel: string): unknown {
  return JSON.parse(readFileSync(join(ROOT, rel), 'utf8'))
}

function swContentType(p: SwPart): SwContentType | undefined {
  const h = p.headers.find((x) => x.name === 'content_type')
  const v = h?.value as { ContentType?: SwContentType } | undefined
  return v?.ContentType
}

/** Compare one Stalwart part with ours; offsets are relative to `base` in nested messages. */
function compare(sw: SwMessage, idx: number, ours: MimePart, base: number, out: string[]): void {
  const p = sw.parts[idx]
  if (p === undefined) return void out.push(`part ${idx} missing in expected`)
  const where = `part ${idx}`
  const ct = swContentType(p)
  if (ct !== undefined && ours.hasContentType) {
    const want = `${ct.c_type.toLowerCase()}/${(ct.c_subtype ?? '').toLowerCase()}`
    const got = `${ours.contentType.type}/${ours.contentType.subtype}`
    if (want !== got && ours.contentType.type !== 'text')
      out.push(`${where} type ${got} != ${want}`)
    for (const a of ct.attributes ?? []) {
      const mine = ours.contentType.params.find((q) => q.name === a.name.toLowerCase())
      const value = mine === undefined ? '-' : decodeEncodedWords(mine.value) // as clients do
      if (value !== a.value) out.push(`${where} param ${a.name}=${value} != ${a.value}`)
    }
  }
  const offsets = [ours.headerStart - base, ours.bodyStart - base, ours.bodyEnd - base]
  const want = [p.offset_header, p.offset_body, p.offset_end]
  if (offsets.join() !== want.join())
    out.push(`${where} offsets ${offsets.join()} != ${want.join()}`)
  const body = typeof p.body === 'string' ? {} : p.body
  if (Array.isArray(body.Multipart)) {
    const kids = body.Multipart as number[]
    if (kids.length !== ours.children.length) {
      return void out.push(`${where} children ${ours.children.length} != ${kids.length}`)
    }
    kids.forEach((k, i) => {
      const child = ours.children[i]
      if (child !== undefined) compare(sw, k, child, base, out)
    })
  } else if (body.Message !== undefined) {
    if (ours.message === null) return void out.push(`${where} not parsed as a message`)
    compare(body.Message as SwMessage, 0, ours.message, base, out)
  } else if (ours.children.length > 0) out.push(`${where} is a leaf in expected`)
}

test('conformance: mail-parser-stalwart eml trees (LF and CRLF)', { skip: SKIP }, (t) => {
  const files = readdirSync(join(ROOT, 'eml'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.eml'))
    .sort()
  let pass = 0
  let total = 0
  const failures: string[] = []
  for (const f of files) {
    const lf = Buffer.from(
      readFileSync(join(ROOT, 'eml', f))
        .toString('latin1')
        .replace(/\r/g, ''),
      'latin1',
    )
    const crlf = Buffer.from(lf.toString('latin1').replace(/\n/g, '\r\n'), 'latin1')
    for (const [raw, expected] of [
      [lf, f.replace(/\.eml$/, '.json')],
      [crlf, f.replace(/\.eml$/, '.crlf.json')],
    ] as const) {
      if (!existsSync(join(ROOT, 'eml', expected))) continue
      total++
      const out: string[] = []
      compare(json(join('eml', expected)) as SwMessage, 0, parseMimeTree(raw).root, 0, out)
      if (out.length === 0) pass++
      else failures.push(`${expected}: ${out.slice(0, 3).join('; ')}`)
    }
  }
  t.diagnostic(`eml trees: ${pass}/${total} match`)
  for (const f of failures) t.diagnostic(`mismatch ${f}`)
  assert.ok(pass / total >= 0.75, `${pass}/${total}`)
})

test('conformance: mail-parser-stalwart content_type.json', { skip: SKIP }, (t) => {
  const cases = json('headers/content_type.json') as {
    header: string
    expected: SwContentType | null
  }[]
  let pass = 0
  for (const c of cases) {
    const got = parseContentType(c.header.replace(/\r?\n$/, ''))
    const e = c.expected
    const ok =
      e === null || e.c_subtype === null
        ? got === undefined || e !== null
        : got !== undefined &&
          got.type === e.c_type.toLowerCase() &&
          got.subtype === e.c_subtype.toLowerCase() &&
          (e.attributes ?? []).every(
            (a) => got.params.find((p) => p.name === a.name)?.value === a.value,
          )
    if (ok) pass++
    else t.diagnostic(`mismatch ${JSON.stringify(c.header)}: ${JSON.stringify(got)}`)
  }
  t.diagnostic(`content types: ${pass}/${cases.length}`)
  assert.ok(pass / cases.length >= 0.85, `${pass}/${cases.length}`)
})

const addr = (m: Mailbox): string =>
  m.domain === null ? (m.localPart ?? '') : `${m.localPart ?? ''}@${m.domain}`

type SwAddr = { name: string | null; address: string | null }
type SwAddrValue = { List?: SwAddr[]; Group?: { name: string | null; addresses: SwAddr[] }[] }

test('conformance: mail-parser-stalwart address.json', { skip: SKIP }, (t) => {
  const cases = json('headers/address.json') as { header: string; expected: SwAddrValue }[]
  let pass = 0
  for (const c of cases) {
    const entries = parseAddressList(c.header)
    const flat = (a: SwAddr): string => `${a.name ?? ''}<${a.address ?? ''}>`
    const want = (c.expected.List ?? [])
      .map(flat)
      .concat(
        (c.expected.Group ?? []).map((g) => `${g.name ?? ''}:${g.addresses.map(flat).join(',')};`),
      )
    const got = entries.map((e) => {
      const mb = (m: (typeof e & { kind: 'mailbox' })['mailbox']): string =>
        `${m.nameDecoded ?? ''}<${m.localPart === null ? '' : addr(m)}>`
      return e.kind === 'mailbox'
        ? mb(e.mailbox)
        : `${e.nameDecoded}:${e.members.map(mb).join(',')};`
    })
    if (c.expected.Group !== undefined) {
      // Stalwart wraps mailboxes outside a group as nameless groups; compare flattened.
      const strip = (s: string): string => s.replace(/^[^<]*?:|;$/g, '')
      if (got.map(strip).join(',') === want.map(strip).join(',')) pass++
      else
        t.diagnostic(`mismatch ${JSON.stringify(c.header)}: ${got.join(' ')} != ${want.join(' ')}`)
      continue
    }
    if (got.join(',') === want.join(',')) pass++
    else t.diagnostic(`mismatch ${JSON.stringify(c.header)}: ${got.join(' ')} != ${want.join(' ')}`)
  }
  t.diagnostic(`addresses: ${pass}/${cases.length}`)
  assert.ok(pass / cases.length >= 0.7, `${pass}/${cases.length}`)
})

test('conformance: mail-parser-stalwart unstructured.json (RFC 2047)', { skip: SKIP }, (t) => {
  const cases = json('headers/unstructured.json') as { header: string; expected: string }[]
  let pass = 0
  for (const c of cases) {
    // Stalwart collapses folding whitespace; RFC 5322 2.2.3 unfolding keeps it.
    const raw = Buffer.from(`Subject:${c.header}`)
    const field = parseHeaderBlock(raw, 0, raw.length).fields[0]
    const got = decodeEncodedWords((field?.raw ?? '').replace(/\r?\n[ \t]+/g, ' ').trim())
    if (got === c.expected) pass++
    else
      t.diagnostic(
        `mismatch ${JSON.stringify(c.header)}: ${JSON.stringify(got)} != ${JSON.stringify(c.expected)}`,
      )
  }
  t.diagnostic(`unstructured: ${pass}/${cases.length}`)
  assert.ok(pass / cases.length >= 0.7, `${pass}/${cases.length}`)
})
