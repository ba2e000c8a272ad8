// Migration 4: the outbound queue's working schema. Recipient states become the queue's
// lifecycle (scheduled, deferred, delivered, bounced, expired, suppressed; SQLite cannot alter a
// CHECK constraint, so queue_recipients is rebuilt and its rows carried over), with the attempt
// marker written before each attempt (attempt_started_at) and the facts DSNs need; queue
// messages keep the submitter (per-account throttle), the Message-ID (matching inbound bounces)
// and the flags the transport needs; every step is a queue_history row; the suppression list.

export const outboundQueueSchema = `
ALTER TABLE queue_messages ADD COLUMN submitter_account_id INTEGER;
ALTER TABLE queue_messages ADD COLUMN message_id TEXT;
ALTER TABLE queue_messages ADD COLUMN smtputf8 INTEGER NOT NULL DEFAULT 0;
CREATE INDEX queue_messages_message_id ON queue_messages(message_id);
CREATE INDEX queue_messages_envid ON queue_messages(envid);

CREATE TABLE queue_recipients_v4 (
  id INTEGER PRIMARY KEY,
  queue_id INTEGER NOT NULL REFERENCES queue_messages(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  -- Lower-cased domain of address: what the scheduler groups and throttles by.
  domain TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN
    ('scheduled', 'deferred', 'delivered', 'bounced', 'expired', 'suppressed')),
  notify TEXT,
  orcpt TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  -- Set (epoch ms) when an attempt starts, cleared when its outcome is written: a row that
  -- still has it after a restart was being tried when the process died (at-least-once).
  attempt_started_at INTEGER,
  last_attempt_at INTEGER,
  last_reply TEXT,
  remote_host TEXT,
  delay_notified INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
INSERT INTO queue_recipients_v4 (id, queue_id, address, domain, state, notify, orcpt, attempts,
  next_attempt_at, last_reply, updated_at)
SELECT id, queue_id, address, lower(substr(address, instr(address, '@') + 1)),
  CASE state WHEN 'temp-failed' THEN 'deferred' WHEN 'perm-failed' THEN 'bounced'
    ELSE state END,
  notify, orcpt, attempts, next_attempt_at, last_reply, next_attempt_at
FROM queue_recipients;
DROP TABLE queue_recipients;
ALTER TABLE queue_recipients_v4 RENAME TO queue_recipients;
CREATE INDEX queue_recipients_queue_id ON queue_recipients(queue_id);
CREATE INDEX queue_recipients_address ON queue_recipients(address);
-- The scheduler's due query: waiting rows not being attempted, in due order (partial, so a
-- queue full of finished rows costs nothing; its terms are repeated verbatim in queue-repo.ts).
CREATE INDEX queue_recipients_waiting ON queue_recipients(next_attempt_at, id)
  WHERE state IN ('scheduled', 'deferred') AND attempt_started_at IS NULL;

-- kind: queued, attempt, delivered, deferred, bounced, expired, delay-notified, dsn-sent,
-- suppressed, throttled, abandoned (attempt interrupted by a restart), retry (asked by an
-- admin), bounce-received (an inbound DSN about this recipient).
CREATE TABLE queue_history (
  id INTEGER PRIMARY KEY,
  queue_id INTEGER NOT NULL REFERENCES queue_messages(id) ON DELETE CASCADE,
  recipient_id INTEGER REFERENCES queue_recipients(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT,
  remote_host TEXT
);
CREATE INDEX queue_history_queue_id ON queue_history(queue_id, id);
CREATE INDEX queue_history_recipient_id ON queue_history(recipient_id);

INSERT INTO queue_history (queue_id, recipient_id, at, kind)
SELECT queue_id, id, next_attempt_at, 'queued' FROM queue_recipients;

-- address: lower-cased. reply: the remote reply (or the inbound DSN's diagnostic).
CREATE TABLE suppressions (
  address TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  reply TEXT,
  created_at INTEGER NOT NULL
);
`
