// The store's contract for SCRAM-SHA-256 credentials (SMTP AUTH SCRAM-SHA-256, RFC 7677):
// one secret per account, valid only with the password hash it was derived beside.

export interface ScramCredentialRepo {
  /**
   * Stores the account's secret, derived from the password whose hash is `passwordHash`;
   * false when the account does not exist or its password hash is no longer that one.
   */
  set(address: string, input: { passwordHash: string; secret: string }): Promise<boolean>
  /** The account's secret, or undefined when it has none or it is stale. */
  get(accountId: number): Promise<string | undefined>
}
