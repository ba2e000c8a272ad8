// Finds the DMARC aggregate report a message carries (RFC 7489 7.2.1.1: the report is an
// attachment, gzip or zip compressed or plain XML) and returns its XML, decompressed within
// bounds. Parts are recognised by media type (application/gzip, application/x-gzip,
// application/zip, application/x-zip-compressed, text/xml, application/xml) or, for
// application/octet-stream, by the file name's extension (.xml.gz, .zip, .xml).
import { gunzipSync } from 'node:zlib'
import { decodeTransfer } from '../mail/transfer-decoding.ts'
import { paramValue } from '../mail/mime-params.ts'
import { parseMimeTree, walkParts, type MimePart } from '../mail/mime-tree.ts'
import { MAX_XML_BYTES } from './report-parser.ts'
import { readZip } from './zip-reader.ts'

type Packing = 'gzip' | 'zip' | 'xml'

/** The report XML of each report attachment (usually one), at most `max` of them. */
export function extractReportXml(raw: Buffer, max = 4): Buffer[] {
  const tree = parseMimeTree(raw, { maxParts: 200, maxDepth: 10 })
  const found: Buffer[] = []
  walkParts(tree.root, (part) => {
    if (found.length >= max || part.children.length > 0 || part.message !== null) return
    const packing = packingOf(part)
    if (packing === undefined) return
    const body = decodeTransfer(raw.subarray(part.bodyStart, part.bodyEnd), part.transferEncoding)
    if (body === undefined) return
    try {
      found.push(...unpack(body, packing))
    } catch {
      // Not a readable report: the message is still delivered; nothing is stored.
    }
  })
  return found.slice(0, max)
}

function packingOf(part: MimePart): Packing | undefined {
  const { type, subtype, params } = part.contentType
  const media = `${type}/${subtype}`
  if (media === 'application/gzip' || media === 'application/x-gzip') return 'gzip'
  if (media === 'application/zip' || media === 'application/x-zip-compressed') return 'zip'
  if (media === 'text/xml' || media === 'application/xml') return 'xml'
  if (media !== 'application/octet-stream') return undefined
  const name = (
    paramValue(part.disposition?.params ?? [], 'filename') ??
    paramValue(params, 'name') ??
    ''
  ).toLowerCase()
  if (name.endsWith('.gz')) return 'gzip'
  if (name.endsWith('.zip')) return 'zip'
  if (name.endsWith('.xml')) return 'xml'
  return undefined
}

function unpack(body: Buffer, packing: Packing): Buffer[] {
  switch (packing) {
    case 'gzip':
      return [gunzipSync(body, { maxOutputLength: MAX_XML_BYTES })]
    case 'zip':
      return readZip(body, { maxEntryBytes: MAX_XML_BYTES })
        .filter((e) => e.name.toLowerCase().endsWith('.xml'))
        .map((e) => e.data)
    case 'xml':
      return [body]
  }
}
