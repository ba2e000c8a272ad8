// What is stored when a password is set: its scrypt hash (password.ts, for PLAIN, LOGIN, IMAP
// and POP3) and its SCRAM-SHA-256 secret (scram.ts, RFC 7677), which the store keeps valid
// only beside that hash. The password itself is kept nowhere.
import { hashPassword } from './password.ts'
import { deriveScramSecret, formatScramSecret } from './scram.ts'

export interface PasswordCredentials {
  passwordHash: string
  scramSecret: string
}

export async function credentialsFor(password: string): Promise<PasswordCredentials> {
  const passwordHash = await hashPassword(password)
  return { passwordHash, scramSecret: formatScramSecret(deriveScramSecret(password)) }
}
