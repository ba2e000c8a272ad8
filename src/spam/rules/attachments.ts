// Rule family "attachments": executables (by file name extension and by magic bytes: MZ for
// Windows PE, ELF), double extensions ("invoice.pdf.exe"), macro-enabled Office documents
// (.docm/.xlsm/.pptm..., OOXML zips holding vbaProject.bin, OLE2 files with a VBA project),
// archives holding executables (zip central directory, one level of nesting) and
// password-protected archives (zip encryption flag; encrypted archives hide their content
// from every scanner).

import type { SpamHit } from '../signal.ts'
import type { Attachment, MessageFacts } from '../message-facts.ts'
import { isZip, listZip, readZipEntry, type ZipEntry } from './zip.ts'
import { ruleHit } from './types.ts'

export const EXECUTABLE_EXTENSIONS = new Set([
  'exe',
  'scr',
  'com',
  'pif',
  'bat',
  'cmd',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'wsh',
  'hta',
  'msi',
  'msp',
  'jar',
  'ps1',
  'psm1',
  'lnk',
  'cpl',
  'reg',
  'dll',
  'sys',
  'gadget',
  'application',
  'msc',
  'scf',
  'inf',
  'apk',
  'appx',
  'iso',
  'img',
  'vhd',
  'one',
  'xll',
  'chm',
  'sh',
])
const MACRO_EXTENSIONS = new Set([
  'docm',
  'dotm',
  'xlsm',
  'xltm',
  'xlam',
  'pptm',
  'potm',
  'ppam',
  'ppsm',
  'sldm',
])
const DOCUMENT_EXTENSIONS = new Set([
  'pdf',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'ppt',
  'pptx',
  'txt',
  'rtf',
  'jpg',
  'jpeg',
  'png',
  'gif',
  'zip',
  'rar',
  'html',
  'htm',
  'odt',
  'csv',
  'mp3',
  'mp4',
  'wav',
])
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
/** How far into an OLE2 file to look for a VBA project's stream names. */
const OLE_SCAN_BYTES = 2 * 1024 * 1024

function extensions(name: string): string[] {
  const base = name.toLowerCase().replace(/[\s.]+$/, '')
  const parts = base.split('.')
  return parts.length > 1 ? parts.slice(1).map((p) => p.trim()) : []
}

function lastExt(name: string): string {
  return extensions(name).at(-1) ?? ''
}

function isExecutableBytes(data: Buffer): boolean {
  if (data.length < 4) return false
  if (data[0] === 0x4d && data[1] === 0x5a) return true // "MZ": DOS/PE executable
  return data.readUInt32BE(0) === 0x7f454c46 // "\x7fELF"
}

function oleHasVba(data: Buffer): boolean {
  if (!data.subarray(0, 8).equals(OLE_MAGIC)) return false
  const head = data.subarray(0, OLE_SCAN_BYTES)
  // Directory entry names are UTF-16LE: "_VBA_PROJECT" / "VBA" storages.
  return head.includes(Buffer.from('_VBA_PROJECT', 'utf16le')) || head.includes('_VBA_PROJECT')
}

interface Findings {
  executable?: string
  double?: string
  macro?: string
  archiveExe?: string
  encrypted?: string
}

export function attachmentRules(facts: MessageFacts): SpamHit[] {
  const found: Findings = {}
  for (const a of facts.attachments.slice(0, 100)) inspect(a, found)
  const hits: SpamHit[] = []
  if (found.executable !== undefined) {
    hits.push(ruleHit('ATTACH_EXECUTABLE', 4.0, `executable attachment (${found.executable})`))
  }
  if (found.double !== undefined) {
    hits.push(
      ruleHit('ATTACH_DOUBLE_EXT', 3.0, `attachment with a disguised extension (${found.double})`),
    )
  }
  if (found.macro !== undefined) {
    hits.push(ruleHit('ATTACH_OFFICE_MACRO', 2.5, `Office document with macros (${found.macro})`))
  }
  if (found.archiveExe !== undefined) {
    hits.push(
      ruleHit('ATTACH_ARCHIVE_EXE', 4.0, `archive containing an executable (${found.archiveExe})`),
    )
  }
  if (found.encrypted !== undefined) {
    hits.push(
      ruleHit('ATTACH_ENCRYPTED_ARCHIVE', 2.5, `password-protected archive (${found.encrypted})`),
    )
  }
  return hits
}

function inspect(a: Attachment, found: Findings): void {
  const name = a.filename.replace(INVISIBLE_IN_NAMES, '')
  const label = name === '' ? a.contentType : name
  const exts = extensions(name)
  const ext = exts.at(-1) ?? ''
  if (EXECUTABLE_EXTENSIONS.has(ext) || isExecutableBytes(a.data)) found.executable ??= label
  if (
    exts.length >= 2 &&
    EXECUTABLE_EXTENSIONS.has(ext) &&
    DOCUMENT_EXTENSIONS.has(exts.at(-2) ?? '')
  ) {
    found.double ??= label
  }
  if (/[\u202e\u202d]/.test(a.filename)) found.double ??= label // right-to-left override
  if (MACRO_EXTENSIONS.has(ext) || oleHasVba(a.data)) found.macro ??= label
  if (!isZip(a.data)) return
  const listing = listZip(a.data)
  if (listing === undefined) return
  inspectZip(a.data, listing.entries, label, found, 1)
}

function inspectZip(
  data: Buffer,
  entries: readonly ZipEntry[],
  label: string,
  found: Findings,
  depthLeft: number,
): void {
  for (const e of entries) {
    const ext = lastExt(e.name)
    if (e.encrypted) found.encrypted ??= label
    if (EXECUTABLE_EXTENSIONS.has(ext)) found.archiveExe ??= `${label}: ${e.name}`
    if (/(^|\/)vbaProject\.bin$/i.test(e.name)) found.macro ??= label
    if (ext === 'zip' && depthLeft > 0 && !e.encrypted) {
      const inner = readZipEntry(data, e.name)
      const listing = inner === undefined ? undefined : listZip(inner)
      if (inner !== undefined && listing !== undefined) {
        inspectZip(inner, listing.entries, `${label}: ${e.name}`, found, depthLeft - 1)
      }
    }
  }
}

const INVISIBLE_IN_NAMES = /[\u200b-\u200f\u202a-\u202e\u2060\ufeff]/g
