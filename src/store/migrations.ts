// Numbered schema migrations (SQLite dialect). Each runs once, in order, in its own
// transaction, and is recorded in `schema_migrations`. Never edit a released migration:
// add a new one. The PostgreSQL engine will carry its own list with the same versions.

import { imapStoreSchema } from './migration-imap-store.ts'
import { substringSearchSchema } from './migration-substring-search.ts'
import { spamLearningSchema } from './migration-spam-learning.ts'
import { spamExplanationSchema } from './migration-spam.ts'
import { outboundQueueSchema } from './migration-outbound-queue.ts'
import { emailAuthSchema } from './migration-email-auth.ts'
import { scramSchema } from './migration-scram.ts'

export interface Migration {
  version: number
  name: string
  /** SQL run as one script. */
  up: string
}

const initialSchema = `
CREATE TABLE domains (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL UNIQUE,
  domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL,
  quota_bytes INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX accounts_domain_id ON accounts(domain_id);

-- targets: JSON array of addresses.
CREATE TABLE aliases (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL UNIQUE,
  targets TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE mailboxes (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  special_use TEXT,
  uid_validity INTEGER NOT NULL,
  uid_next INTEGER NOT NULL DEFAULT 1,
  -- RFC 7162 3.1.1: a mod-sequence is a positive integer; an empty mailbox reports 1.
  highest_modseq INTEGER NOT NULL DEFAULT 1,
  message_count INTEGER NOT NULL DEFAULT 0,
  total_bytes INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, name)
);

-- One row per received message body, shared by every mailbox copy and the queue entry.
-- refcount = messages rows + queue_messages rows pointing here. The SMTP envelope
-- (MAIL FROM and the RFC 3461 RET/ENVID parameters) is kept with the body.
CREATE TABLE message_blobs (
  id INTEGER PRIMARY KEY,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  data BLOB NOT NULL,
  refcount INTEGER NOT NULL DEFAULT 0,
  received_at INTEGER NOT NULL,
  mail_from TEXT,
  dsn_ret TEXT,
  dsn_envid TEXT
);
CREATE INDEX message_blobs_sha256 ON message_blobs(sha256);

-- flags: JSON array of system flags and keywords. rcpt_to/dsn_notify/dsn_orcpt: the
-- envelope recipient this copy was delivered for (dsn_notify: JSON array or NULL).
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  blob_id INTEGER NOT NULL REFERENCES message_blobs(id),
  flags TEXT NOT NULL DEFAULT '[]',
  internal_date INTEGER NOT NULL,
  size INTEGER NOT NULL,
  rcpt_to TEXT,
  dsn_notify TEXT,
  dsn_orcpt TEXT,
  UNIQUE (mailbox_id, uid)
);
CREATE INDEX messages_blob_id ON messages(blob_id);
CREATE INDEX messages_mailbox_modseq ON messages(mailbox_id, modseq);

CREATE TABLE queue_messages (
  id INTEGER PRIMARY KEY,
  blob_id INTEGER NOT NULL REFERENCES message_blobs(id),
  mail_from TEXT NOT NULL,
  envid TEXT,
  ret TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX queue_messages_blob_id ON queue_messages(blob_id);

-- One row per recipient (notify: JSON array or NULL).
CREATE TABLE queue_recipients (
  id INTEGER PRIMARY KEY,
  queue_id INTEGER NOT NULL REFERENCES queue_messages(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  state TEXT NOT NULL
    CHECK (state IN ('scheduled', 'delivered', 'temp-failed', 'perm-failed')),
  notify TEXT,
  orcpt TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_reply TEXT
);
CREATE INDEX queue_recipients_queue_id ON queue_recipients(queue_id);
CREATE INDEX queue_recipients_due ON queue_recipients(state, next_attempt_at);

-- Release a body when its last reference goes (also on cascaded deletes).
CREATE TRIGGER messages_release_blob AFTER DELETE ON messages BEGIN
  UPDATE message_blobs SET refcount = refcount - 1 WHERE id = OLD.blob_id;
  DELETE FROM message_blobs WHERE id = OLD.blob_id AND refcount <= 0;
END;
CREATE TRIGGER queue_messages_release_blob AFTER DELETE ON queue_messages BEGIN
  UPDATE message_blobs SET refcount = refcount - 1 WHERE id = OLD.blob_id;
  DELETE FROM message_blobs WHERE id = OLD.blob_id AND refcount <= 0;
END;
`

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: initialSchema },
  {
    version: 2,
    name: 'imap: subscriptions, vanished, flag indexes, full-text',
    up: imapStoreSchema,
  },
  { version: 3, name: 'full-text index by trigrams (substring search)', up: substringSearchSchema },
  { version: 4, name: 'outbound queue: states, history, suppression', up: outboundQueueSchema },
  { version: 5, name: 'dmarc: evaluations, reports sent and received', up: emailAuthSchema },
  {
    version: 6,
    name: 'spam learning: bayes, reputation, greylist, sender score',
    up: spamLearningSchema,
  },
  { version: 7, name: 'spam verdict explanations', up: spamExplanationSchema },
  { version: 8, name: 'scram-sha-256 credentials', up: scramSchema },
]
