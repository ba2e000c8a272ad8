// The store's contract for DMARC reporting (RFC 7489 7.2): the evaluations recorded for every
// inbound message, the aggregate reports sent, and the aggregate reports received.
import type { AggregateReport, Disposition } from '../dmarc-report/report-model.ts'

/** One DMARC evaluation of one inbound message (the facts of an aggregate-report row). */
export interface DmarcEvaluation {
  /** Epoch ms. */
  evaluatedAt: number
  /** The domain whose DMARC record applied (the From domain or its Organizational Domain). */
  policyDomain: string
  sourceIp: string
  /** RFC5322.From domain (lower case). */
  headerFrom: string
  /** RFC5321.MailFrom domain; the HELO name when MAIL FROM was null. */
  envelopeFrom: string
  /** The first envelope recipient's domain. */
  envelopeTo: string
  spf: { domain: string; scope: 'mfrom' | 'helo'; result: string; aligned: boolean }
  dkim: { domain: string; selector: string; result: string; aligned: boolean }[]
  dmarcResult: string
  policy: Disposition
  disposition: Disposition
  /** Why the disposition is softer than the policy (PolicyOverrideType and a comment). */
  reasons: { type: string; comment?: string }[]
}

export interface SentReport {
  policyDomain: string
  /** Epoch seconds of the report's date range. */
  begin: number
  end: number
  reportId: string
  recipients: string[]
  sentAt: number
}

export interface ReceivedReportSummary {
  id: number
  receivedAt: number
  orgName: string
  email: string
  reportId: string
  policyDomain: string
  begin: number
  end: number
  /** Per source IP: messages, and how many passed / failed DMARC (aligned DKIM or SPF). */
  sources: { sourceIp: string; count: number; pass: number; fail: number }[]
}

export interface EmailAuthRepo {
  /** Durable with the next group commit (the accept of the same message shares it). */
  recordEvaluation(evaluation: DmarcEvaluation): Promise<void>
  /** Evaluations with from <= evaluatedAt < to (epoch ms), oldest first. */
  evaluationsBetween(from: number, to: number): Promise<DmarcEvaluation[]>
  /** Removes evaluations older than `before` (epoch ms); resolves with the count. */
  pruneEvaluations(before: number): Promise<number>
  /** False when a report for this domain and begin time was already recorded as sent. */
  recordSent(report: SentReport): Promise<boolean>
  wasSent(policyDomain: string, begin: number): Promise<boolean>
  /** Stores a received report; false when the same org_name + report_id is already stored. */
  storeReceived(report: AggregateReport, receivedAt: number): Promise<boolean>
  /** Received reports, newest range first; only those of `policyDomain` when given. */
  listReceived(opts?: { policyDomain?: string; limit?: number }): Promise<ReceivedReportSummary[]>
  /** A received report in full. */
  getReceived(id: number): Promise<AggregateReport | undefined>
}
