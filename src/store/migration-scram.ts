// Migration 8: SCRAM-SHA-256 secrets of accounts (src/auth/scram.ts format), derived from the
// password when it is set. Each row remembers the password hash it was derived with: a
// password changed by any path (which replaces accounts.password_hash) makes it stale, and a
// stale secret is never used.

export const scramSchema = `
CREATE TABLE scram_credentials (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  sha256 TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`
