// Automatic responses (RFC 3834): vacation notices and other auto-replies. RFC 3834 5 defines
// "Auto-Submitted: auto-replied" as the marker; other mailers use X-Autoreply, X-Autorespond,
// "Precedence: auto_reply", X-Apple-Action: VACATION, or only a subject such as "Automatic
// reply:" / "Out of Office". An auto-reply is not a failure: it names the recipient who
// answered (its From) and is never a hard bounce.

import type { HeaderField } from '../mail/header-fields.ts'
import { fieldValue } from './message-text.ts'

/** Strength of the auto-reply evidence in a header. */
export type AutoReplyEvidence = 'header' | 'subject' | 'none'

const SUBJECT_PREFIXES = [
  'auto:',
  'auto reply',
  'auto-reply',
  'autoreply',
  'auto response',
  'auto-response',
  'automatic reply',
  'automatic response',
  'automated reply',
  'out of office',
  'out of the office',
  'away from',
  'away until',
  'on vacation',
  'vacation',
  'abwesenheit',
  'réponse automatique',
  'respuesta automática',
  'risposta automatica',
  '自動応答',
  '自動返信',
  '不在',
]

/** How strongly the header says the message is an automatic response. */
export function autoReplyEvidence(fields: readonly HeaderField[]): AutoReplyEvidence {
  const autoSubmitted = (fieldValue(fields, 'auto-submitted') ?? '').toLowerCase()
  if (autoSubmitted.startsWith('auto-replied')) return 'header' // RFC 3834 5.1
  if (fieldValue(fields, 'x-autoreply') !== undefined) return 'header'
  if (fieldValue(fields, 'x-autorespond') !== undefined) return 'header'
  if ((fieldValue(fields, 'x-apple-action') ?? '').toUpperCase() === 'VACATION') return 'header'
  const precedence = (fieldValue(fields, 'precedence') ?? '').toLowerCase()
  if (precedence === 'auto_reply') return 'header'
  const subject = (fieldValue(fields, 'subject') ?? '').trim().toLowerCase()
  if (SUBJECT_PREFIXES.some((p) => subject.startsWith(p))) return 'subject'
  return 'none'
}
