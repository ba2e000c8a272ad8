// Migration 3: the full-text index becomes a trigram index, so SEARCH TEXT / BODY / header
// keys match substrings as RFC 9051 6.4.4 asks ("messages that contain the specified string"),
// not only words and word prefixes.
//
// Same table name, columns and row ids as migration 2's word index (message_text, rowid =
// message_blobs.id, contentless with contentless_delete), only the tokenizer changes: FTS5's
// trigram tokenizer (SQLite >= 3.34; remove_diacritics needs 3.45, better-sqlite3 12 bundles
// 3.53) indexes every 3-character window, case-folded and without diacritics, so a phrase of
// 3+ characters is found wherever it occurs. Shorter strings are checked by the store on the
// extracted text (search-index.ts). Every stored body is listed in message_text_pending again:
// the store re-indexes them in the background and before a search, as after migration 2.

export const substringSearchSchema = `
DROP TRIGGER message_blobs_forget_text;
DROP TABLE message_text;

CREATE VIRTUAL TABLE message_text USING fts5(
  subject, from_, to_, cc, bcc, header, body,
  content = '', contentless_delete = 1,
  tokenize = 'trigram case_sensitive 0 remove_diacritics 1'
);

DELETE FROM message_text_pending;
INSERT INTO message_text_pending (blob_id)
  SELECT b.id FROM message_blobs b
  WHERE EXISTS (SELECT 1 FROM messages m WHERE m.blob_id = b.id);

CREATE TRIGGER message_blobs_forget_text AFTER DELETE ON message_blobs BEGIN
  DELETE FROM message_text WHERE rowid = OLD.id;
  DELETE FROM message_text_pending WHERE blob_id = OLD.id;
END;
`
