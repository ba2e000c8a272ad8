// ENVELOPE and BODY/BODYSTRUCTURE (RFC 9051 7.5.2, 9 "envelope", "body") written as IMAP
// data from the typed values of src/mail. The whole structure is one pre-encoded atom: a
// multipart's bodies follow each other without a space (RFC 9051 9: body-type-mpart =
// 1*body SP media-subtype), which the token lists cannot express. Strings are quoted when
// they can be, literals otherwise, sized in UTF-8 octets as the atom is written in UTF-8.
import { atom, quoteIfPossible, type Token } from '../imap/response.ts'
import type { BodyParam, BodyStructure, BodyDisposition } from '../mail/body-structure.ts'
import type { Envelope, EnvelopeAddress } from '../mail/envelope.ts'

export function envelopeToken(env: Envelope, isUtf8: boolean): Token {
  return atom(encodeEnvelope(env, isUtf8))
}

export function bodyStructureToken(body: BodyStructure, isUtf8: boolean): Token {
  return atom(encodeBody(body, isUtf8))
}

function s(value: string | null, isUtf8: boolean): string {
  if (value === null) return 'NIL'
  const quoted = quoteIfPossible(value, isUtf8)
  if (quoted !== undefined) return quoted
  return `{${Buffer.byteLength(value, 'utf8')}}\r\n${value}`
}

function encodeEnvelope(env: Envelope, isUtf8: boolean): string {
  const fields = [
    s(env.date, isUtf8),
    s(env.subject, isUtf8),
    addresses(env.from, isUtf8),
    addresses(env.sender, isUtf8),
    addresses(env.replyTo, isUtf8),
    addresses(env.to, isUtf8),
    addresses(env.cc, isUtf8),
    addresses(env.bcc, isUtf8),
    s(env.inReplyTo, isUtf8),
    s(env.messageId, isUtf8),
  ]
  return `(${fields.join(' ')})`
}

function addresses(list: EnvelopeAddress[] | null, isUtf8: boolean): string {
  if (list === null || list.length === 0) return 'NIL'
  const one = (a: EnvelopeAddress): string =>
    `(${[a.name, a.adl, a.mailbox, a.host].map((v) => s(v, isUtf8)).join(' ')})`
  return `(${list.map(one).join('')})`
}

function params(list: BodyParam[] | null, isUtf8: boolean): string {
  if (list === null || list.length === 0) return 'NIL'
  return `(${list.map((p) => `${s(p.name, isUtf8)} ${s(p.value, isUtf8)}`).join(' ')})`
}

function disposition(d: BodyDisposition | null, isUtf8: boolean): string {
  if (d === null) return 'NIL'
  return `(${s(d.type, isUtf8)} ${params(d.params, isUtf8)})`
}

function language(list: string[] | null, isUtf8: boolean): string {
  if (list === null || list.length === 0) return 'NIL'
  return `(${list.map((l) => s(l, isUtf8)).join(' ')})`
}

/** RFC 9051 9: body = "(" (body-type-1part / body-type-mpart) ")". */
function encodeBody(body: BodyStructure, isUtf8: boolean): string {
  if (body.kind === 'multipart') {
    const parts = body.parts.map((p) => encodeBody(p, isUtf8)).join('')
    let out = `(${parts} ${s(body.subtype, isUtf8)}`
    const ext = body.extension
    if (ext !== undefined) {
      // RFC 9051 9: body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang ...]]
      out += ` ${params(ext.params, isUtf8)} ${disposition(ext.disposition, isUtf8)}`
      out += ` ${language(ext.language, isUtf8)} ${s(ext.location, isUtf8)}`
    }
    return out + ')'
  }
  const f = body.fields
  const items = [
    s(body.type, isUtf8),
    s(body.subtype, isUtf8),
    params(f.params, isUtf8),
    s(f.id, isUtf8),
    s(f.description, isUtf8),
    s(f.encoding, isUtf8),
    String(f.size),
  ]
  if (body.kind === 'message') {
    items.push(encodeEnvelope(body.envelope, isUtf8), encodeBody(body.body, isUtf8))
    items.push(String(body.lines))
  } else if (body.kind === 'text') items.push(String(body.lines))
  const ext = body.extension
  if (ext !== undefined) {
    // RFC 9051 9: body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang ...]]
    items.push(s(ext.md5, isUtf8), disposition(ext.disposition, isUtf8))
    items.push(language(ext.language, isUtf8), s(ext.location, isUtf8))
  }
  return `(${items.join(' ')})`
}
