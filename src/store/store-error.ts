// Typed errors the store raises for caller mistakes (unknown domain, address taken, ...).
// Callers map `code` to their protocol's reply; anything else thrown by the store is an
// internal error.

export type StoreErrorCode =
  | 'domain-exists'
  | 'domain-not-found'
  | 'domain-in-use'
  | 'address-taken'
  | 'account-not-found'
  | 'mailbox-not-found'
  | 'mailbox-exists'
  | 'mailbox-has-children'
  | 'mailbox-forbidden'
  | 'over-quota'
  | 'invalid-input'
  | 'closed'

export class StoreError extends Error {
  readonly code: StoreErrorCode

  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'StoreError'
    this.code = code
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code)
}
