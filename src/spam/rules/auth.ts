// Rule family "auth": what email authentication concluded (src/email-auth/outcome.ts) as small
// signals with source 'auth': DMARC failed (RFC 7489), SPF failed or soft-failed (RFC 7208
// 2.6), no valid DKIM signature (RFC 6376). Absent results (auth not run) give nothing.
import type { AuthOutcome } from '../../email-auth/outcome.ts'
import type { SpamHit } from '../signal.ts'

function hit(rule: string, score: number, reason: string): SpamHit {
  return { rule, source: 'auth', score, reason }
}

export function authRules(auth: AuthOutcome | undefined): SpamHit[] {
  if (auth === undefined) return []
  const hits: SpamHit[] = []
  if (auth.dmarc.result === 'fail') {
    hits.push(
      hit(
        'AUTH_DMARC_FAIL',
        2.0,
        `DMARC failed for ${auth.dmarc.domain} (policy ${auth.dmarc.policy})`,
      ),
    )
  }
  if (auth.spf.result === 'fail') {
    hits.push(hit('AUTH_SPF_FAIL', 1.0, `SPF failed for ${auth.spf.domain}`))
  } else if (auth.spf.result === 'softfail') {
    hits.push(hit('AUTH_SPF_SOFTFAIL', 0.5, `SPF soft-failed for ${auth.spf.domain}`))
  }
  const dkimPass = auth.dkim.some((d) => d.result === 'pass')
  if (!dkimPass) {
    const failed = auth.dkim.some((d) => d.result === 'fail')
    hits.push(
      failed
        ? hit('AUTH_DKIM_FAIL', 0.8, 'a DKIM signature failed to verify')
        : hit('AUTH_NO_DKIM', 0.3, 'no valid DKIM signature'),
    )
  } else if (auth.dmarc.result === 'pass') {
    hits.push(hit('AUTH_DMARC_PASS', -0.5, `DMARC passed for ${auth.dmarc.domain}`))
  }
  return hits
}
