// Schema for the IMAP server's needs (a numbered migration, listed in migrations.ts):
// subscriptions, the per-mailbox record of expunged UIDs for QRESYNC VANISHED (RFC 7162
// 3.2.10), partial indexes that make STATUS UNSEEN and EXPUNGE of \Deleted cheap, the account's
// last UIDVALIDITY (so a re-created mailbox gets a greater one), and the FTS5 full-text index.
//
// Flags are a JSON array, so '"\\Seen"' (with the JSON-escaped backslash and the quotes) is
// exactly the element \Seen; keywords cannot contain a backslash. The queries that use the
// partial indexes repeat their WHERE terms verbatim (SQLite matches them literally).
//
// The full-text index holds one row per message body (rowid = message_blobs.id), so copies
// share it and it goes with the body's last reference. Contentless (content='') with
// contentless_delete: it stores no second copy of the text. Columns: the SEARCH header keys
// with their own column, every header line, and the decoded text of the body.
// message_text_pending lists bodies waiting to be indexed (bodies stored before this
// migration; the store indexes them in the background and before a search).

export const imapStoreSchema = `
ALTER TABLE accounts ADD COLUMN last_uid_validity INTEGER NOT NULL DEFAULT 0;

CREATE TABLE subscriptions (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (account_id, name)
) WITHOUT ROWID;

CREATE TABLE mailbox_vanished (
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX mailbox_vanished_modseq ON mailbox_vanished(mailbox_id, modseq);

CREATE INDEX messages_unseen ON messages(mailbox_id, uid)
  WHERE instr(flags, '"\\\\Seen"') = 0;
CREATE INDEX messages_deleted ON messages(mailbox_id, uid)
  WHERE instr(flags, '"\\\\Deleted"') > 0;

CREATE VIRTUAL TABLE message_text USING fts5(
  subject, from_, to_, cc, bcc, header, body,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE message_text_pending (blob_id INTEGER PRIMARY KEY);
INSERT INTO message_text_pending (blob_id) SELECT id FROM message_blobs;

CREATE TRIGGER message_blobs_forget_text AFTER DELETE ON message_blobs BEGIN
  DELETE FROM message_text WHERE rowid = OLD.id;
  DELETE FROM message_text_pending WHERE blob_id = OLD.id;
END;
`
