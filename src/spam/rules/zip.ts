// ZIP archive inspection for the attachment rules (PKWARE APPNOTE.TXT 4.3): the entries named
// in the central directory, each with its general-purpose flag (bit 0: encrypted) and sizes.
// Reads only the end-of-central-directory record and the directory itself: no decompression,
// at most MAX_ENTRIES entries. A nested .zip entry stored or deflated is opened once more
// (node:zlib, output capped) so an executable inside a zip inside a zip is still seen.

import { inflateRawSync } from 'node:zlib'

export interface ZipEntry {
  name: string
  encrypted: boolean
}

export interface ZipListing {
  entries: ZipEntry[]
  /** True when the directory had more entries than were read. */
  truncated: boolean
}

const EOCD_SIG = 0x06054b50
const CENTRAL_SIG = 0x02014b50
const LOCAL_SIG = 0x04034b50
const MAX_ENTRIES = 2000
const MAX_NESTED_BYTES = 4 * 1024 * 1024
const MAX_COMMENT = 0xffff

export function isZip(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt32LE(0) === LOCAL_SIG
}

/** The end-of-central-directory record's offset, searching back over a trailing comment. */
function findEocd(data: Buffer): number {
  const stop = Math.max(0, data.length - 22 - MAX_COMMENT)
  for (let i = data.length - 22; i >= stop; i--) {
    if (data.readUInt32LE(i) === EOCD_SIG) return i
  }
  return -1
}

/** Lists a zip's entries; undefined when the data is not a readable zip. */
export function listZip(data: Buffer): ZipListing | undefined {
  if (data.length < 22) return undefined
  const eocd = findEocd(data)
  if (eocd < 0) return undefined
  const total = data.readUInt16LE(eocd + 10)
  let at = data.readUInt32LE(eocd + 16)
  const entries: ZipEntry[] = []
  for (let n = 0; n < Math.min(total, MAX_ENTRIES); n++) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== CENTRAL_SIG) break
    const flags = data.readUInt16LE(at + 8)
    const nameLen = data.readUInt16LE(at + 28)
    const extraLen = data.readUInt16LE(at + 30)
    const commentLen = data.readUInt16LE(at + 32)
    const name = data.toString('utf8', at + 46, Math.min(data.length, at + 46 + nameLen))
    entries.push({ name, encrypted: (flags & 1) === 1 })
    at += 46 + nameLen + extraLen + commentLen
  }
  return { entries, truncated: total > entries.length }
}

/** The bytes of one entry (stored or deflated), found by its local header; capped. */
export function readZipEntry(data: Buffer, name: string): Buffer | undefined {
  const listing = listZip(data)
  if (listing === undefined) return undefined
  const eocd = findEocd(data)
  let at = data.readUInt32LE(eocd + 16)
  for (let n = 0; n < listing.entries.length; n++) {
    if (at + 46 > data.length) return undefined
    const method = data.readUInt16LE(at + 10)
    const compressed = data.readUInt32LE(at + 20)
    const nameLen = data.readUInt16LE(at + 28)
    const next = at + 46 + nameLen + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32)
    const local = data.readUInt32LE(at + 42)
    if (listing.entries[n]?.name === name) return entryBytes(data, local, method, compressed)
    at = next
  }
  return undefined
}

function entryBytes(data: Buffer, local: number, method: number, size: number): Buffer | undefined {
  if (local + 30 > data.length || data.readUInt32LE(local) !== LOCAL_SIG) return undefined
  const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28)
  const body = data.subarray(start, Math.min(data.length, start + size))
  if (method === 0) return body.subarray(0, MAX_NESTED_BYTES)
  if (method !== 8) return undefined
  try {
    return inflateRawSync(body, { maxOutputLength: MAX_NESTED_BYTES })
  } catch {
    return undefined
  }
}
