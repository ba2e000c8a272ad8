// Turns a verdict's explanation (verdict.ts) into the text `postern explain` and
// `postern check-message` print: score, thresholds and action, then every hit with its
// weight, source and reason, grouped by source (rules, Bayes, reputation, blocklists, auth),
// then how each signal source answered.
import type { SpamHit } from './signal.ts'
import type { SpamExplanation } from './verdict.ts'

const SOURCE_TITLES: Record<string, string> = {
  rule: 'Content rules',
  auth: 'Authentication',
  bayes: 'Bayesian classifier',
  reputation: 'Sender reputation',
  dnsbl: 'DNS blocklists',
}

const ACTIONS: Record<string, string> = {
  none: 'delivered to the inbox with X-Spam-* headers',
  junk: 'delivered to Junk',
  reject: 'refused at end of data (550 5.7.1)',
  refuse: 'refused by the pre-flight check (550 5.7.1)',
}

function signed(n: number): string {
  return `${n >= 0 ? '+' : ''}${n.toFixed(1)}`
}

export function formatExplanation(
  e: SpamExplanation & { queueId?: string; messageId?: string | null },
): string {
  const lines: string[] = []
  if (e.queueId !== undefined) lines.push(`Queue id:    ${e.queueId}`)
  if (e.messageId !== undefined && e.messageId !== null) lines.push(`Message-ID:  ${e.messageId}`)
  lines.push(
    `Analysed:    ${new Date(e.analyzedAt).toISOString()} (${e.direction}, ${e.durationMs} ms)`,
  )
  const t = e.thresholds
  const limits =
    e.direction === 'outbound'
      ? `pre-flight ${t.preflight.toFixed(1)}`
      : `junk ${t.junk.toFixed(1)}, reject ${t.reject.toFixed(1)}`
  lines.push(`Score:       ${e.score.toFixed(1)} (thresholds: ${limits})`)
  const action =
    e.direction === 'outbound' && e.action === 'none'
      ? 'accepted by the pre-flight check'
      : (ACTIONS[e.action] ?? e.action)
  lines.push(`Action:      ${e.action} - ${action}`)
  const bySource = new Map<string, SpamHit[]>()
  for (const h of e.hits) {
    const list = bySource.get(h.source) ?? []
    list.push(h)
    bySource.set(h.source, list)
  }
  if (e.hits.length === 0) lines.push('', 'No rule or signal fired.')
  for (const [source, hits] of bySource) {
    lines.push('', `${SOURCE_TITLES[source] ?? source}:`)
    for (const h of hits) {
      lines.push(`  ${signed(h.score).padStart(7)}  ${h.rule.padEnd(26)} ${h.reason}`)
      const extra = detailText(h)
      if (extra !== '') lines.push(`  ${''.padStart(7)}  ${''.padEnd(26)} ${extra}`)
    }
  }
  if (e.auth !== undefined) {
    lines.push('', 'Authentication results:')
    lines.push(`  SPF:   ${e.auth.spf}`)
    lines.push(`  DKIM:  ${e.auth.dkim.length === 0 ? 'none' : e.auth.dkim.join('; ')}`)
    lines.push(`  DMARC: ${e.auth.dmarc}`)
  }
  if (e.sources.length > 0) {
    lines.push('', 'Signal sources:')
    for (const s of e.sources) {
      const err = s.error === undefined ? '' : ` (${s.error})`
      lines.push(`  ${s.name.padEnd(12)} ${s.status}${err}, ${s.hits} hit(s), ${s.ms} ms`)
    }
  }
  return `${lines.join('\n')}\n`
}

/** A short rendering of a hit's machine-readable detail (Bayes probability, list zone...). */
function detailText(h: SpamHit): string {
  if (h.detail === undefined || h.source === 'rule') return ''
  const parts = Object.entries(h.detail)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .slice(0, 6)
    .map(([k, v]) => `${k}=${String(v)}`)
  return parts.length === 0 ? '' : `(${parts.join(', ')})`
}
