// IMAP's BODY and BODYSTRUCTURE (RFC 9051 7.5.2, RFC 3501 7.4.2) as typed data computed from
// the MIME tree. This module does not serialise; the IMAP response builder writes each value
// in this order (RFC 9051 9, "body" grammar):
//
//   basic:     "(" type SP subtype SP fields [SP ext1] ")"
//   text:      "(" type SP subtype SP fields SP lines [SP ext1] ")"
//   message:   "(" type SP subtype SP fields SP envelope SP body SP lines [SP ext1] ")"
//   multipart: "(" body *(body) SP subtype [SP extM] ")"        (bodies not space-separated)
//   fields:    params SP id SP description SP encoding SP size
//   ext1:      md5 SP disposition SP language SP location
//   extM:      params SP disposition SP language SP location
//   params:    NIL | "(" name SP value *(SP name SP value) ")"
//   disposition: NIL | "(" type SP params ")"
//   language:  NIL | "(" string *(SP string) ")"   (one tag may also be sent as a string)
//
// null is NIL everywhere. `extension` is present exactly when `extended` was requested
// (BODYSTRUCTURE); BODY omits it. Strings are ready to send as IMAP strings: types, subtypes,
// parameter names, encodings and disposition types are upper-cased (case-insensitive per
// RFC 2045 5.1); RFC 2231 extended parameters are reported as `NAME*` with the joined
// `charset'lang'%xx` value, as Dovecot does, keeping 8-bit out of BODYSTRUCTURE.

import { envelope, type Envelope } from './envelope.ts'
import type { MimeParam } from './mime-params.ts'
import type { MimePart, MimeTree } from './mime-tree.ts'

export interface BodyParam {
  name: string
  value: string
}

export interface BodyFields {
  params: BodyParam[] | null
  id: string | null
  description: string | null
  /** Upper-cased Content-Transfer-Encoding ("7BIT" when absent). */
  encoding: string
  /** Body size in octets, as stored. */
  size: number
}

export interface BodyDisposition {
  type: string
  params: BodyParam[] | null
}

export interface SinglePartExtension {
  md5: string | null
  disposition: BodyDisposition | null
  language: string[] | null
  location: string | null
}

export interface MultipartExtension {
  params: BodyParam[] | null
  disposition: BodyDisposition | null
  language: string[] | null
  location: string | null
}

export type BodyStructure =
  | {
      kind: 'basic'
      type: string
      subtype: string
      fields: BodyFields
      extension?: SinglePartExtension
    }
  | {
      kind: 'text'
      type: string
      subtype: string
      fields: BodyFields
      lines: number
      extension?: SinglePartExtension
    }
  | {
      kind: 'message'
      type: string
      subtype: string
      fields: BodyFields
      envelope: Envelope
      body: BodyStructure
      lines: number
      extension?: SinglePartExtension
    }
  | { kind: 'multipart'; parts: BodyStructure[]; subtype: string; extension?: MultipartExtension }

export interface BodyStructureOptions {
  /** true for BODYSTRUCTURE (with extension data), false for BODY. */
  extended: boolean
}

function bodyParams(params: readonly MimeParam[]): BodyParam[] | null {
  if (params.length === 0) return null
  return params.map((p) =>
    p.extended === null
      ? { name: p.name.toUpperCase(), value: p.value }
      : { name: p.name.toUpperCase() + '*', value: p.extended },
  )
}

function disposition(part: MimePart): BodyDisposition | null {
  const d = part.disposition
  return d === null ? null : { type: d.value.toUpperCase(), params: bodyParams(d.params) }
}

function language(part: MimePart): string[] | null {
  return part.language === null || part.language.length === 0 ? null : part.language
}

function fields(part: MimePart): BodyFields {
  return {
    params: bodyParams(part.contentType.params),
    id: part.contentId,
    description: part.description,
    encoding: part.transferEncoding.toUpperCase(),
    size: part.bodyEnd - part.bodyStart,
  }
}

function singleExtension(part: MimePart): SinglePartExtension {
  return {
    md5: part.md5,
    disposition: disposition(part),
    language: language(part),
    location: part.location,
  }
}

/** Dovecot: a multipart with no body parts is reported with one empty text/plain part. */
const EMPTY_TEXT: BodyStructure = {
  kind: 'text',
  type: 'TEXT',
  subtype: 'PLAIN',
  fields: {
    params: [{ name: 'CHARSET', value: 'US-ASCII' }],
    id: null,
    description: null,
    encoding: '7BIT',
    size: 0,
  },
  lines: 0,
}

function build(part: MimePart, extended: boolean): BodyStructure {
  const ct = part.contentType
  if (ct.type === 'multipart' && !part.isDepthLimited) {
    const parts = part.children.map((c) => build(c, extended))
    if (parts.length === 0) parts.push(EMPTY_TEXT)
    const body: BodyStructure = { kind: 'multipart', parts, subtype: ct.subtype.toUpperCase() }
    if (extended) {
      body.extension = {
        params: bodyParams(ct.params),
        disposition: disposition(part),
        language: language(part),
        location: part.location,
      }
    }
    return body
  }
  let body: BodyStructure
  if (part.message !== null) {
    body = {
      kind: 'message',
      type: ct.type.toUpperCase(),
      subtype: ct.subtype.toUpperCase(),
      fields: fields(part),
      envelope: envelope(part.message),
      body: build(part.message, extended),
      lines: part.lines,
    }
  } else if (part.isDepthLimited) {
    // Too deep to parse: report opaque data rather than a MESSAGE without its envelope.
    body = { kind: 'basic', type: 'APPLICATION', subtype: 'OCTET-STREAM', fields: fields(part) }
  } else if (ct.type === 'text') {
    const subtype = ct.subtype.toUpperCase()
    body = { kind: 'text', type: 'TEXT', subtype, fields: fields(part), lines: part.lines }
  } else {
    const [type, subtype] = [ct.type.toUpperCase(), ct.subtype.toUpperCase()]
    body = { kind: 'basic', type, subtype, fields: fields(part) }
  }
  if (extended) body.extension = singleExtension(part)
  return body
}

/** BODY (extended: false) or BODYSTRUCTURE (extended: true) of a message or entity. */
export function bodyStructure(
  source: MimeTree | MimePart,
  opts: BodyStructureOptions,
): BodyStructure {
  return build('root' in source ? source.root : source, opts.extended)
}
