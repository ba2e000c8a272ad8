// Conformance: the MIME tree, ENVELOPE, BODYSTRUCTURE and every BODY[section] / BINARY[]
// over the shared corpora, read in place from ../shared/conformance (never copied here):
// mime-torture-crispin, postal-mime-fixtures, mail-parser-stalwart, python-email-testdata,
// mailparser-nodemailer-fixtures. mail-parser-stalwart's expected parse trees are compared
// where they map to IMAP (part tree, content types and parameters, byte offsets).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { parseMimeTree, walkParts, type MimePart, type MimeTree } from './mime-tree.ts'
import { envelope } from './envelope.ts'
import { bodyStructure } from './body-structure.ts'
import { binarySection, listPartPaths, resolvePart, section, type SectionText } from './section.ts'

const ROOT = fileURLToPath(new URL('../../../shared/conformance/', import.meta.url))
const HAS_CORPUS = existsSync(ROOT)
const SKIP = HAS_CORPUS ? false : `no corpus at ${ROOT}`

function files(dir: string, match: RegExp): string[] {
  const abs = join(ROOT, dir)
  if (!existsSync(abs)) return []
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => match.test(f))
    .sort()
    .map((f) => join(dir, f))
}

function load(rel: string): Buffer {
  const raw = readFileSync(join(ROOT, rel))
  // mbox form: drop the "From " envelope line (SOURCE.md of mime-torture-crispin).
  return raw.subarray(0, 5).toString() === 'From ' ? raw.subarray(raw.indexOf(10) + 1) : raw
}

const CORPUS = HAS_CORPUS
  ? [
      ...files('mime-torture-crispin', /\.mbox$/),
      ...files('postal-mime-fixtures', /\.eml$/),
      ...files('mail-parser-stalwart/eml', /\.eml$/),
      ...files('python-email-testdata', /msg_.*\.txt$/),
      ...files('mailparser-nodemailer-fixtures', /\.eml$/),
    ]
  : []

const TEXTS: (SectionText | null)[] = [
  null,
  { kind: 'mime' },
  { kind: 'header' },
  { kind: 'text' },
  { kind: 'header-fields', fields: ['From', 'Subject', 'Content-Type'], isNot: false },
  { kind: 'header-fields', fields: ['Received'], isNot: true },
]

function checkOffsets(tree: MimeTree): void {
  walkParts(tree.root, (p) => {
    assert.ok(0 <= p.headerStart && p.headerStart <= p.headerEnd, 'header order')
    assert.equal(p.headerEnd, p.bodyStart)
    assert.ok(p.bodyStart <= p.bodyEnd && p.bodyEnd <= tree.size, 'body within message')
    for (const c of [...p.children, ...(p.message === null ? [] : [p.message])]) {
      assert.ok(p.bodyStart <= c.headerStart && c.bodyEnd <= p.bodyEnd, 'child nested in body')
    }
  })
}

/** Everything the IMAP server may compute for one message; throws on a broken invariant. */
function exercise(raw: Buffer): { tree: MimeTree; sections: number } {
  const tree = parseMimeTree(raw)
  checkOffsets(tree)
  envelope(tree)
  bodyStructure(tree, { extended: false })
  bodyStructure(tree, { extended: true })
  let sections = 0
  const paths = [{ path: [] as number[], part: tree.root }, ...listPartPaths(tree)]
  for (const { path, part } of paths) {
    assert.equal(resolvePart(tree, path), path.length === 0 ? tree.root : part)
    for (const text of TEXTS) {
      if (text?.kind === 'mime' && path.length === 0) continue
      const r = section(raw, tree, { path, text, partial: null })
      assert.ok(r.kind === 'ok', `section ${path.join('.')} ${text?.kind ?? ''}`)
      for (const p of r.pieces) if (p.kind === 'range') assert.ok(p.end <= raw.length)
      const partial = section(raw, tree, { path, text, partial: { offset: 3, length: 7 } })
      assert.ok(partial.kind === 'ok' && partial.size === Math.max(0, Math.min(7, r.size - 3)))
      sections++
    }
    const bin = binarySection(raw, tree, path)
    assert.ok(bin.kind === 'ok' || bin.kind === 'unknown-cte')
  }
  return { tree, sections }
}

test(
  'conformance: every corpus message goes through tree, ENVELOPE, BODYSTRUCTURE, sections',
  { skip: SKIP },
  (t) => {
    assert.ok(CORPUS.length >= 170, `found ${CORPUS.length} messages`)
    let sections = 0
    let slowest = { file: '', ms: 0 }
    for (const file of CORPUS) {
      const raw = load(file)
      const started = performance.now()
      const r = exercise(raw)
      const ms = performance.now() - started
      if (ms > slowest.ms) slowest = { file, ms }
      assert.ok(ms < 2000, `${file} took ${ms} ms`)
      sections += r.sections
    }
    t.diagnostic(
      `${CORPUS.length} messages, ${sections} sections, slowest ${slowest.file} ${slowest.ms.toFixed(0)} ms`,
    )
  },
)

test(
  'conformance: CRLF and bare-LF forms of every corpus message parse the same shape',
  { skip: SKIP },
  () => {
    for (const file of CORPUS) {
      const raw = load(file)
      const lf = Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1')
      const crlf = Buffer.from(lf.toString('latin1').replace(/\n/g, '\r\n'), 'latin1')
      const shape = (tree: MimeTree): string[] => {
        const out: string[] = []
        walkParts(tree.root, (p) =>
          out.push(`${p.depth}:${p.contentType.type}/${p.contentType.subtype}`),
        )
        return out
      }
      assert.deepEqual(shape(parseMimeTree(lf)), shape(parseMimeTree(crlf)), file)
    }
  },
)

test('conformance: mime-torture-crispin has the known structure', { skip: SKIP }, () => {
  const raw = load('mime-torture-crispin/torture-test.mbox')
  const tree = parseMimeTree(raw)
  const env = envelope(tree)
  assert.equal(env.subject, 'Multi-media mail demonstration')
  const first = resolvePart(tree, [1])
  assert.equal(first?.contentType.subtype, 'plain')
  const r = section(raw, tree, { path: [1], text: null, partial: null })
  assert.ok(r.kind === 'ok')
  const text = Buffer.concat(
    r.pieces.map((p) => (p.kind === 'range' ? raw.subarray(p.start, p.end) : p.bytes)),
  )
  assert.match(text.toString(), /^This is a demonstration of multi-part mail with encapsulated/)
  let leaves = 0
  walkParts(tree.root, (p: MimePart) => {
    if (p.children.length === 0 && p.message === null) leaves++
  })
  assert.equal(tree.isTruncated, false)
  assert.ok(leaves >= 30, `leaves ${leaves}`)
})
