// Abuse Reporting Format (RFC 5965): a multipart/report with report-type=feedback-report
// (RFC 5965 2) whose second part is message/feedback-report, a header-like block of fields
// (3.1: Feedback-Type, User-Agent, Version; 3.2: Original-Mail-From, Original-Rcpt-To,
// Arrival-Date, Reporting-MTA, Source-IP, Reported-Domain...), and whose third part is the
// reported message (message/rfc822) or its header (text/rfc822-headers).

import { findAddresses, headerFieldsOf } from './message-text.ts'

export interface FeedbackReport {
  /** RFC 5965 3.1: abuse, fraud, virus, other, not-spam (lower case), '' when absent. */
  feedbackType: string
  /** RFC 5965 3.2: Original-Rcpt-To values (there may be several), lower case. */
  originalRcptTo: string[]
  /** RFC 5965 3.2: Original-Mail-From, lower case. */
  originalMailFrom: string
}

/** Parse a message/feedback-report body (RFC 5965 3). */
export function parseFeedbackReport(text: string): FeedbackReport {
  const fields = headerFieldsOf(text)
  const report: FeedbackReport = { feedbackType: '', originalRcptTo: [], originalMailFrom: '' }
  for (const f of fields) {
    if (f.key === 'feedback-type')
      report.feedbackType = f.value.trim().toLowerCase() // 3.1
    else if (f.key === 'original-rcpt-to') {
      const addr = findAddresses(f.value, 1)[0]?.address // RFC 5965 3.2
      if (addr !== undefined && !report.originalRcptTo.includes(addr)) {
        report.originalRcptTo.push(addr)
      }
    } else if (f.key === 'original-mail-from') {
      report.originalMailFrom = findAddresses(f.value, 1)[0]?.address ?? '' // RFC 5965 3.2
    }
  }
  return report
}
