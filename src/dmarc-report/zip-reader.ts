// A small, bounded reader of ZIP archives (PKWARE APPNOTE 6.3: end of central directory 4.3.16,
// central directory headers 4.3.12, local file headers 4.3.7), enough for the zipped XML of
// DMARC aggregate reports: entries stored (method 0) or deflated (method 8, inflated with
// node:zlib inflateRaw). Sizes come from the central directory; every entry and the archive as
// a whole are bounded, so a zip bomb stops at the limit. ZIP64 and encryption are refused.
import { inflateRawSync } from 'node:zlib'

export class ZipError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ZipError'
  }
}

export interface ZipEntry {
  name: string
  data: Buffer
}

export interface ZipLimits {
  maxEntries: number
  /** Largest uncompressed entry. */
  maxEntryBytes: number
  /** Largest sum of uncompressed entries. */
  maxTotalBytes: number
}

const DEFAULT_LIMITS: ZipLimits = {
  maxEntries: 16,
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
}

const EOCD_SIGNATURE = 0x06054b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const EOCD_MIN = 22
const MAX_COMMENT = 0xffff

/** The files of the archive (directories skipped), in central-directory order. */
export function readZip(zip: Buffer, limits: Partial<ZipLimits> = {}): ZipEntry[] {
  const lim = { ...DEFAULT_LIMITS, ...limits }
  const eocd = findEndOfCentralDirectory(zip)
  const count = zip.readUInt16LE(eocd + 10)
  const cdOffset = zip.readUInt32LE(eocd + 16)
  if (count === 0xffff || cdOffset === 0xffffffff) throw new ZipError('ZIP64 is not supported')
  if (count > lim.maxEntries) throw new ZipError(`more than ${lim.maxEntries} entries`)
  const entries: ZipEntry[] = []
  let total = 0
  let pos = cdOffset
  for (let i = 0; i < count; i++) {
    need(zip, pos, 46)
    if (zip.readUInt32LE(pos) !== CENTRAL_SIGNATURE) throw new ZipError('bad central directory')
    const flags = zip.readUInt16LE(pos + 8)
    const method = zip.readUInt16LE(pos + 10)
    const compressedSize = zip.readUInt32LE(pos + 20)
    const size = zip.readUInt32LE(pos + 24)
    const nameLength = zip.readUInt16LE(pos + 28)
    const extraLength = zip.readUInt16LE(pos + 30)
    const commentLength = zip.readUInt16LE(pos + 32)
    const localOffset = zip.readUInt32LE(pos + 42)
    need(zip, pos + 46, nameLength)
    const name = zip.toString('utf8', pos + 46, pos + 46 + nameLength)
    pos += 46 + nameLength + extraLength + commentLength
    if (name.endsWith('/')) continue
    if ((flags & 1) !== 0) throw new ZipError(`${name} is encrypted`)
    if (size > lim.maxEntryBytes) throw new ZipError(`${name} is larger than the limit`)
    total += size
    if (total > lim.maxTotalBytes) throw new ZipError('the archive is larger than the limit')
    const raw = localData(zip, localOffset, compressedSize)
    entries.push({ name, data: decompress({ raw, method, size, name }) })
  }
  return entries
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const stop = Math.max(0, zip.length - EOCD_MIN - MAX_COMMENT)
  for (let pos = zip.length - EOCD_MIN; pos >= stop; pos--) {
    if (zip.readUInt32LE(pos) === EOCD_SIGNATURE) return pos
  }
  throw new ZipError('not a zip archive (no end of central directory)')
}

function localData(zip: Buffer, offset: number, compressedSize: number): Buffer {
  need(zip, offset, 30)
  if (zip.readUInt32LE(offset) !== LOCAL_SIGNATURE) throw new ZipError('bad local header')
  const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28)
  need(zip, start, compressedSize)
  return zip.subarray(start, start + compressedSize)
}

function decompress(e: { raw: Buffer; method: number; size: number; name: string }): Buffer {
  if (e.method === 0) return e.raw
  if (e.method !== 8) throw new ZipError(`${e.name}: compression method ${e.method} unsupported`)
  try {
    // The central directory's size bounds the output: a lying entry stops there.
    return inflateRawSync(e.raw, { maxOutputLength: Math.max(e.size, 1) })
  } catch (err) {
    throw new ZipError(`${e.name}: ${err instanceof Error ? err.message : 'cannot inflate'}`)
  }
}

function need(zip: Buffer, pos: number, length: number): void {
  if (pos < 0 || pos + length > zip.length) throw new ZipError('truncated archive')
}
