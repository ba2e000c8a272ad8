// The error the CLI prints as one line on stderr before exiting with status 1, and the
// translation of known library errors (store, config, init, TLS) into it.
import { isStoreError } from '../store/store-error.ts'

export class CliError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliError'
  }
}

/** The message to print for an error thrown by a command. */
export function describeCliError(err: unknown): string {
  if (isStoreError(err, 'domain-not-found')) {
    return `${err.message}; it is not a local domain (add it with: postern domain add NAME)`
  }
  if (err instanceof Error) return err.message
  return String(err)
}
