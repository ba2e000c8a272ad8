// Migration 6: what the spam filter learns. Bayes token counts per scope (an account id, or 0
// for global statistics) with the messages trained (by digest, so a correction untrains the
// earlier class); sender reputation per IP network and authenticated domain; greylisting
// triples; and the outbound sender score (hourly counters per account, and its status).

export const spamLearningSchema = `
CREATE TABLE bayes_tokens (
  scope INTEGER NOT NULL,
  token TEXT NOT NULL,
  spam INTEGER NOT NULL DEFAULT 0,
  ham INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, token)
) WITHOUT ROWID;

CREATE TABLE bayes_totals (
  scope INTEGER PRIMARY KEY,
  spam INTEGER NOT NULL DEFAULT 0,
  ham INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE bayes_trained (
  scope INTEGER NOT NULL,
  digest TEXT NOT NULL,
  class TEXT NOT NULL CHECK (class IN ('spam', 'ham')),
  trained_at INTEGER NOT NULL,
  PRIMARY KEY (scope, digest)
) WITHOUT ROWID;

CREATE TABLE reputation (
  key TEXT PRIMARY KEY,
  ham INTEGER NOT NULL DEFAULT 0,
  spam INTEGER NOT NULL DEFAULT 0,
  corrected_spam INTEGER NOT NULL DEFAULT 0,
  corrected_ham INTEGER NOT NULL DEFAULT 0,
  last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX reputation_last_seen ON reputation(last_seen);

CREATE TABLE greylist (
  triple TEXT PRIMARY KEY,
  first_seen INTEGER NOT NULL,
  passed_at INTEGER,
  last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX greylist_last_seen ON greylist(last_seen);

CREATE TABLE sender_counters (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  bucket INTEGER NOT NULL,
  delivered INTEGER NOT NULL DEFAULT 0,
  bounced INTEGER NOT NULL DEFAULT 0,
  refused INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, bucket)
) WITHOUT ROWID;

CREATE TABLE sender_status (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('ok', 'throttled', 'suspended')),
  reason TEXT NOT NULL,
  since INTEGER NOT NULL,
  lifted_at INTEGER
);
`
