// DMARC reporting data on SQLite (store/types-email-auth.ts): evaluations, reports sent,
// reports received. Writes go through the store's group committer (store-write.ts), so an
// evaluation recorded just before store.accept() shares that message's commit and fsync.

import type { Database, Statement } from 'better-sqlite3'
import type {
  DmarcEvaluation,
  EmailAuthRepo,
  ReceivedReportSummary,
  SentReport,
} from '../../types-email-auth.ts'
import type {
  AggregateReport,
  Disposition,
  PolicyPublished,
  ReportRecord,
} from '../../../dmarc-report/report-model.ts'
import { asAsync } from './as-async.ts'
import type { SubmitWrite } from './store-write.ts'

/** evaluated_at, policy_domain … spf_result, spf_aligned, dkim, dkim_aligned, … reasons. */
type EvaluationParams = [
  number,
  ...[string, string, string, string, string, string, string, string],
  number,
  string,
  number,
  ...[string, string, string, string],
]

interface EvaluationRow {
  evaluated_at: number
  policy_domain: string
  source_ip: string
  header_from: string
  envelope_from: string
  envelope_to: string
  spf_domain: string
  spf_scope: 'mfrom' | 'helo'
  spf_result: string
  spf_aligned: number
  dkim: string
  dmarc_result: string
  policy: Disposition
  disposition: Disposition
  reasons: string
}

interface ReceivedRow {
  id: number
  received_at: number
  org_name: string
  email: string
  report_id: string
  policy_domain: string
  policy: string
  begin_at: number
  end_at: number
}

interface RowRow {
  source_ip: string
  count: number
  disposition: Disposition
  dkim: 'pass' | 'fail'
  spf: 'pass' | 'fail'
  header_from: string
  envelope_from: string
  auth: string
}

export class SqliteEmailAuthRepo implements EmailAuthRepo {
  readonly #submit: SubmitWrite
  readonly #insertEvaluation: Statement<EvaluationParams>
  readonly #between: Statement<[number, number], EvaluationRow>
  readonly #prune: Statement<[number]>
  readonly #insertSent: Statement<[string, number, number, string, string, number]>
  readonly #sent: Statement<[string, number], { id: number }>
  readonly #insertReceived: Statement<
    [number, string, string, string, string, string, number, number],
    { id: number }
  >
  readonly #insertRow: Statement<
    [number, string, number, string, string, string, string, string, string]
  >
  readonly #listReceived: Statement<[{ domain: string | null; limit: number }], ReceivedRow>
  readonly #getReceived: Statement<[number], ReceivedRow>
  readonly #rows: Statement<[number], RowRow>

  constructor(db: Database, opts: { submit: SubmitWrite }) {
    this.#submit = opts.submit
    this.#insertEvaluation = db.prepare(
      `INSERT INTO dmarc_evaluations (evaluated_at, policy_domain, source_ip, header_from,
         envelope_from, envelope_to, spf_domain, spf_scope, spf_result, spf_aligned, dkim,
         dkim_aligned, dmarc_result, policy, disposition, reasons)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#between = db.prepare(
      `SELECT * FROM dmarc_evaluations WHERE evaluated_at >= ? AND evaluated_at < ?
       ORDER BY evaluated_at, id`,
    )
    this.#prune = db.prepare('DELETE FROM dmarc_evaluations WHERE evaluated_at < ?')
    this.#insertSent = db.prepare(
      `INSERT INTO dmarc_reports_sent (policy_domain, begin_at, end_at, report_id, recipients,
         sent_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    this.#sent = db.prepare(
      'SELECT id FROM dmarc_reports_sent WHERE policy_domain = ? AND begin_at = ?',
    )
    this.#insertReceived = db.prepare(
      `INSERT INTO dmarc_reports_received (received_at, org_name, email, report_id,
         policy_domain, policy, begin_at, end_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
    )
    this.#insertRow = db.prepare(
      `INSERT INTO dmarc_report_rows (report_id, source_ip, count, disposition, dkim, spf,
         header_from, envelope_from, auth) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#listReceived = db.prepare(
      `SELECT * FROM dmarc_reports_received WHERE (@domain IS NULL OR policy_domain = @domain)
       ORDER BY begin_at DESC, id DESC LIMIT @limit`,
    )
    this.#getReceived = db.prepare('SELECT * FROM dmarc_reports_received WHERE id = ?')
    this.#rows = db.prepare('SELECT * FROM dmarc_report_rows WHERE report_id = ? ORDER BY id')
  }

  recordEvaluation(e: DmarcEvaluation): Promise<void> {
    return this.#submit(() => {
      this.#insertEvaluation.run(
        e.evaluatedAt,
        e.policyDomain,
        e.sourceIp,
        e.headerFrom,
        e.envelopeFrom,
        e.envelopeTo,
        e.spf.domain,
        e.spf.scope,
        e.spf.result,
        e.spf.aligned ? 1 : 0,
        JSON.stringify(e.dkim),
        e.dkim.some((d) => d.aligned && d.result === 'pass') ? 1 : 0,
        e.dmarcResult,
        e.policy,
        e.disposition,
        JSON.stringify(e.reasons),
      )
      return { value: undefined, changes: [] }
    })
  }

  evaluationsBetween(from: number, to: number): Promise<DmarcEvaluation[]> {
    return asAsync(() => this.#between.all(from, to).map(toEvaluation))
  }

  pruneEvaluations(before: number): Promise<number> {
    return this.#submit(() => ({ value: this.#prune.run(before).changes, changes: [] }))
  }

  recordSent(r: SentReport): Promise<boolean> {
    return this.#submit(() => {
      const info = this.#insertSent.run(
        r.policyDomain,
        r.begin,
        r.end,
        r.reportId,
        JSON.stringify(r.recipients),
        r.sentAt,
      )
      return { value: info.changes > 0, changes: [] }
    })
  }

  wasSent(policyDomain: string, begin: number): Promise<boolean> {
    return asAsync(() => this.#sent.get(policyDomain, begin) !== undefined)
  }

  storeReceived(report: AggregateReport, receivedAt: number): Promise<boolean> {
    return this.#submit(() => {
      const inserted = this.#insertReceived.get(
        receivedAt,
        report.orgName,
        report.email,
        report.reportId,
        report.policy.domain,
        JSON.stringify(report.policy),
        report.begin,
        report.end,
      )
      if (!inserted) return { value: false, changes: [] }
      for (const r of report.records) {
        this.#insertRow.run(
          inserted.id,
          r.sourceIp,
          r.count,
          r.disposition,
          r.dkim,
          r.spf,
          r.headerFrom,
          r.envelopeFrom,
          JSON.stringify({ dkim: r.authDkim, spf: r.authSpf, reasons: r.reasons }),
        )
      }
      return { value: true, changes: [] }
    })
  }

  listReceived(
    opts: { policyDomain?: string; limit?: number } = {},
  ): Promise<ReceivedReportSummary[]> {
    return asAsync(() =>
      this.#listReceived
        .all({ domain: opts.policyDomain?.toLowerCase() ?? null, limit: opts.limit ?? 100 })
        .map((row) => this.#summary(row)),
    )
  }

  getReceived(id: number): Promise<AggregateReport | undefined> {
    return asAsync(() => {
      const row = this.#getReceived.get(id)
      if (!row) return undefined
      return {
        orgName: row.org_name,
        email: row.email,
        reportId: row.report_id,
        begin: row.begin_at,
        end: row.end_at,
        errors: [],
        policy: JSON.parse(row.policy) as PolicyPublished,
        records: this.#rows.all(id).map(toRecord),
      }
    })
  }

  #summary(row: ReceivedRow): ReceivedReportSummary {
    const bySource = new Map<
      string,
      { sourceIp: string; count: number; pass: number; fail: number }
    >()
    for (const r of this.#rows.all(row.id)) {
      const s = bySource.get(r.source_ip) ?? { sourceIp: r.source_ip, count: 0, pass: 0, fail: 0 }
      s.count += r.count
      // RFC 7489 3: a message passes DMARC when aligned DKIM or aligned SPF passes.
      if (r.dkim === 'pass' || r.spf === 'pass') s.pass += r.count
      else s.fail += r.count
      bySource.set(r.source_ip, s)
    }
    return {
      id: row.id,
      receivedAt: row.received_at,
      orgName: row.org_name,
      email: row.email,
      reportId: row.report_id,
      policyDomain: row.policy_domain,
      begin: row.begin_at,
      end: row.end_at,
      sources: [...bySource.values()].sort((a, b) => b.count - a.count),
    }
  }
}

function toEvaluation(r: EvaluationRow): DmarcEvaluation {
  return {
    evaluatedAt: r.evaluated_at,
    policyDomain: r.policy_domain,
    sourceIp: r.source_ip,
    headerFrom: r.header_from,
    envelopeFrom: r.envelope_from,
    envelopeTo: r.envelope_to,
    spf: {
      domain: r.spf_domain,
      scope: r.spf_scope,
      result: r.spf_result,
      aligned: r.spf_aligned === 1,
    },
    dkim: JSON.parse(r.dkim) as DmarcEvaluation['dkim'],
    dmarcResult: r.dmarc_result,
    policy: r.policy,
    disposition: r.disposition,
    reasons: JSON.parse(r.reasons) as DmarcEvaluation['reasons'],
  }
}

function toRecord(r: RowRow): ReportRecord {
  const auth = JSON.parse(r.auth) as {
    dkim: ReportRecord['authDkim']
    spf: ReportRecord['authSpf']
    reasons?: ReportRecord['reasons']
  }
  return {
    sourceIp: r.source_ip,
    count: r.count,
    disposition: r.disposition,
    dkim: r.dkim,
    spf: r.spf,
    reasons: auth.reasons ?? [],
    headerFrom: r.header_from,
    envelopeFrom: r.envelope_from,
    authDkim: auth.dkim,
    authSpf: auth.spf,
  }
}
