import { test } from 'node:test'
import assert from 'node:assert/strict'
import { deflateRawSync } from 'node:zlib'
import { buildMessage, pdfBytes, zipBytes } from '../sample-messages.ts'
import { messageFacts } from '../message-facts.ts'
import { attachmentRules } from './attachments.ts'
import { listZip, readZipEntry } from './zip.ts'

function rules(filename: string, data: Buffer, contentType = 'application/octet-stream'): string[] {
  const raw = buildMessage({ text: 'see attached', attachments: [{ filename, contentType, data }] })
  return attachmentRules(messageFacts(raw)).map((h) => h.rule)
}

const MZ = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(200)])

test('executables by extension and by magic bytes', () => {
  assert.ok(rules('setup.exe', Buffer.from('x')).includes('ATTACH_EXECUTABLE'))
  assert.ok(rules('invoice.dat', MZ).includes('ATTACH_EXECUTABLE'))
  assert.ok(rules('tool', Buffer.from('\x7fELF\x02\x01', 'latin1')).includes('ATTACH_EXECUTABLE'))
})

test('double extensions and right-to-left overrides', () => {
  assert.ok(rules('invoice.pdf.exe', MZ).includes('ATTACH_DOUBLE_EXT'))
  assert.ok(rules('photo.jpg.scr', Buffer.from('x')).includes('ATTACH_DOUBLE_EXT'))
  assert.ok(rules('report\u202efdp.exe', Buffer.from('x')).includes('ATTACH_DOUBLE_EXT'))
  assert.equal(rules('report.2026.pdf', pdfBytes(), 'application/pdf').length, 0)
})

test('macro-enabled Office files: by extension, OLE with VBA, OOXML with vbaProject.bin', () => {
  assert.ok(rules('budget.xlsm', Buffer.from('PK')).includes('ATTACH_OFFICE_MACRO'))
  const ole = Buffer.concat([
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
    Buffer.alloc(100),
    Buffer.from('_VBA_PROJECT', 'utf16le'),
  ])
  assert.ok(rules('letter.doc', ole).includes('ATTACH_OFFICE_MACRO'))
  assert.ok(
    rules('letter.docx', zipBytes(['word/document.xml', 'word/vbaProject.bin'])).includes(
      'ATTACH_OFFICE_MACRO',
    ),
  )
  assert.equal(rules('letter.docx', zipBytes(['word/document.xml'])).length, 0)
})

test('archives: executables inside, nested zips, encryption', () => {
  assert.ok(
    rules('docs.zip', zipBytes(['readme.txt', 'payload.exe'])).includes('ATTACH_ARCHIVE_EXE'),
  )
  assert.ok(
    rules('docs.zip', zipBytes(['a.pdf'], { encrypted: true })).includes(
      'ATTACH_ENCRYPTED_ARCHIVE',
    ),
  )
  assert.equal(rules('docs.zip', zipBytes(['a.pdf', 'b.txt'])).length, 0)
  const inner = zipBytes(['run.js'])
  const outer = zipBytes(['inner.zip'])
  // Replace the stored content of inner.zip with the real inner archive.
  const nested = nestedZip(inner)
  assert.ok(rules('outer.zip', nested).includes('ATTACH_ARCHIVE_EXE'))
  assert.ok(listZip(outer)?.entries.some((e) => e.name === 'inner.zip'))
})

test('zip reader: deflated entries and garbage', () => {
  const zip = nestedZip(Buffer.from('hello hello hello hello'), 8)
  assert.equal(readZipEntry(zip, 'inner.zip')?.toString(), 'hello hello hello hello')
  assert.equal(listZip(Buffer.from('PK\x03\x04 not really a zip at all, sorry')), undefined)
  assert.equal(listZip(Buffer.alloc(0)), undefined)
})

/** A zip with one entry "inner.zip" holding `content` (stored, or deflated with method 8). */
function nestedZip(content: Buffer, method = 0): Buffer {
  const data = method === 8 ? deflateRawSync(content) : content
  const name = Buffer.from('inner.zip')
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(method, 8)
  local.writeUInt32LE(data.length, 18)
  local.writeUInt32LE(content.length, 22)
  local.writeUInt16LE(name.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(method, 10)
  central.writeUInt32LE(data.length, 20)
  central.writeUInt32LE(content.length, 24)
  central.writeUInt16LE(name.length, 28)
  central.writeUInt32LE(0, 42)
  const cdOffset = 30 + name.length + data.length
  const eocd = Buffer.alloc(22)
  eocd.writeUInt32LE(0x06054b50, 0)
  eocd.writeUInt16LE(1, 8)
  eocd.writeUInt16LE(1, 10)
  eocd.writeUInt32LE(46 + name.length, 12)
  eocd.writeUInt32LE(cdOffset, 16)
  return Buffer.concat([local, name, data, central, name, eocd])
}
