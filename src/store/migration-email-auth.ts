// Migration 5: what DMARC reporting keeps (RFC 7489 7.2). Every DMARC evaluation of an inbound
// message (one row per message, the facts an aggregate report row is made of), the aggregate
// reports already sent (so a restart never sends a day twice), and the aggregate reports other
// receivers sent to Postern's own domains, with their rows (per source IP).

export const emailAuthSchema = `
-- dkim: JSON array of {domain, selector, result, aligned}; reasons: JSON array of
-- {type, comment} (RFC 7489 appendix C PolicyOverrideReason).
CREATE TABLE dmarc_evaluations (
  id INTEGER PRIMARY KEY,
  evaluated_at INTEGER NOT NULL,
  policy_domain TEXT NOT NULL,
  source_ip TEXT NOT NULL,
  header_from TEXT NOT NULL,
  envelope_from TEXT NOT NULL,
  envelope_to TEXT NOT NULL,
  spf_domain TEXT NOT NULL,
  spf_scope TEXT NOT NULL CHECK (spf_scope IN ('mfrom', 'helo')),
  spf_result TEXT NOT NULL,
  spf_aligned INTEGER NOT NULL,
  dkim TEXT NOT NULL,
  dkim_aligned INTEGER NOT NULL,
  dmarc_result TEXT NOT NULL,
  policy TEXT NOT NULL,
  disposition TEXT NOT NULL,
  reasons TEXT NOT NULL
);
CREATE INDEX dmarc_evaluations_time ON dmarc_evaluations(evaluated_at);

CREATE TABLE dmarc_reports_sent (
  id INTEGER PRIMARY KEY,
  policy_domain TEXT NOT NULL,
  begin_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL,
  report_id TEXT NOT NULL,
  recipients TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  UNIQUE (policy_domain, begin_at)
);

CREATE TABLE dmarc_reports_received (
  id INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  org_name TEXT NOT NULL,
  email TEXT NOT NULL,
  report_id TEXT NOT NULL,
  policy_domain TEXT NOT NULL,
  policy TEXT NOT NULL,
  begin_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL,
  UNIQUE (org_name, report_id)
);
CREATE INDEX dmarc_reports_received_domain ON dmarc_reports_received(policy_domain, begin_at);

-- auth: JSON {dkim: [...], spf: [...]} as the report gave them.
CREATE TABLE dmarc_report_rows (
  id INTEGER PRIMARY KEY,
  report_id INTEGER NOT NULL REFERENCES dmarc_reports_received(id) ON DELETE CASCADE,
  source_ip TEXT NOT NULL,
  count INTEGER NOT NULL,
  disposition TEXT NOT NULL,
  dkim TEXT NOT NULL,
  spf TEXT NOT NULL,
  header_from TEXT NOT NULL,
  envelope_from TEXT NOT NULL,
  auth TEXT NOT NULL
);
CREATE INDEX dmarc_report_rows_report ON dmarc_report_rows(report_id);
`
